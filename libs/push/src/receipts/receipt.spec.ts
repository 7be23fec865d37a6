import { createVerify } from 'node:crypto';
import { newPlatformKeyPair, platformSignerOf, type PlatformKeyPair } from '@pushsync/tenancy';
import { PUSH_STATUS, PUSH_STATUS_DESCRIPTIONS } from './push-status';
import { isReceiptStatus, receiptBodyOf, serializeReceiptBody, signedReceiptRequest, type Receipt } from './receipt';

const TOKEN = 'da64bc9d7d448684ebaeecfec473f612c57579008343a88d4dbdd145dad20e84';

/** What a tenant does with the `sign` parameter (mps.md §3.19): reverse the URL-safe alphabet, restore the padding, verify SHA256withRSA. */
function tenantVerifies(publicKeyPem: string, body: string, sign: string): boolean {
  const standardBase64 = sign.replace(/-/g, '+').replace(/_/g, '/');
  const padded = standardBase64 + '='.repeat((4 - (standardBase64.length % 4)) % 4);
  return createVerify('RSA-SHA256').update(body, 'utf8').verify(publicKeyPem, padded, 'base64');
}

describe('receipt body', () => {
  it('is the §3.19 example byte for byte for an Acked iOS message', () => {
    const receipt: Receipt = { msgId: 'console_1584853300103', status: PUSH_STATUS.ACKED, targetId: TOKEN, deviceToken: TOKEN, osType: 'ios' };
    expect(serializeReceiptBody(receiptBodyOf(receipt))).toBe(
      `{"extInfo":{"adToken":"${TOKEN}","osType":"ios"},"msgId":"console_1584853300103","pushSuccess":true,"statusCode":"2","statusDesc":"Acked","targetId":"${TOKEN}"}`,
    );
  });

  it.each([
    [PUSH_STATUS.REVOKED, '3', 'Revoked'],
    [PUSH_STATUS.EXPIRED, '4', 'Expired'],
    [PUSH_STATUS.FAILED, '5', 'Failed'],
  ] as const)('reports final state %d as not pushed, with code "%s" and "%s"', (status, statusCode, statusDesc) => {
    expect(receiptBodyOf({ msgId: 'm1', status, targetId: 'user-7', deviceToken: 'tok', osType: 'harmony' })).toEqual({
      extInfo: { adToken: 'tok', osType: 'harmony' },
      msgId: 'm1',
      pushSuccess: false,
      statusCode,
      statusDesc,
      targetId: 'user-7',
    });
  });

  it('serialises in one key order whatever order the body was built in', () => {
    const body = receiptBodyOf({ msgId: 'm1', status: PUSH_STATUS.ACKED, targetId: 't', deviceToken: 'tok', osType: 'web' });
    const reordered = { targetId: 't', statusDesc: 'Acked', statusCode: '2', pushSuccess: true, msgId: 'm1', extInfo: { osType: 'web' as const, adToken: 'tok' } };
    expect(serializeReceiptBody(reordered)).toBe(serializeReceiptBody(body));
  });

  it('describes every status of §3.18 and the D4 extensions', () => {
    expect(PUSH_STATUS_DESCRIPTIONS).toEqual({ '-1': 'WaitingForVerify', 0: 'DeviceNotOnlineOrNoResponse', 1: 'NoBindInfo', 2: 'Acked', 3: 'Revoked', 4: 'Expired', 5: 'Failed', 99999999: 'NONE' });
  });

  it('sends receipts for Acked and the final states only', () => {
    expect(Object.values(PUSH_STATUS).filter(isReceiptStatus)).toEqual([2, 3, 4, 5]);
  });
});

describe('signed receipt request', () => {
  let key: PlatformKeyPair;
  const body = serializeReceiptBody(receiptBodyOf({ msgId: '订单_42', status: PUSH_STATUS.ACKED, targetId: 'u1', deviceToken: 'tok', osType: 'android' }));

  beforeAll(async () => {
    key = await newPlatformKeyPair(0);
  });

  it('carries the UTF-8 body bytes and a sign the tenant verifies with the platform public key', () => {
    const request = signedReceiptRequest('https://tenant.example/receipts', body, platformSignerOf({ platformKey: key }));
    expect(Buffer.from(request.body).toString('utf8')).toBe(body);
    const url = new URL(request.url);
    expect(`${url.origin}${url.pathname}`).toBe('https://tenant.example/receipts');
    const sign = url.searchParams.get('sign')!;
    expect(sign).toMatch(/^[A-Za-z0-9_-]{342}$/);
    expect(tenantVerifies(key.publicKeyPem, body, sign)).toBe(true);
    expect(tenantVerifies(key.publicKeyPem, body.replace('"pushSuccess":true', '"pushSuccess":false'), sign)).toBe(false);
  });

  it("appends sign to the tenant's own query as written and drops a fragment", () => {
    const request = signedReceiptRequest('https://tenant.example/cb?app=a%20b&x=1#top', body, platformSignerOf({ platformKey: key }));
    expect(request.url).toMatch(/^https:\/\/tenant\.example\/cb\?app=a%20b&x=1&sign=[A-Za-z0-9_-]+$/);
    expect(tenantVerifies(key.publicKeyPem, body, new URL(request.url).searchParams.get('sign')!)).toBe(true);
  });
});

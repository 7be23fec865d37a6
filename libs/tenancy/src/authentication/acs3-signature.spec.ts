import { createHash, createHmac } from 'node:crypto';

import { acs3CanonicalRequest, parseAcs3Authorization, signAcs3, verifyAcs3 } from './acs3-signature';
import { verifyOpenApiRequest } from './open-api-verifier';
import { ReplayGuard } from './replay-guard';
import { InMemoryNonceStore } from './testing/in-memory-nonce-store';
import type { SignedHttpRequest } from './signed-request';


const SECRETS: Record<string, { secret: string }> = {
  YourAccessKeyId: { secret: 'YourAccessKeySecret' },
  'LTAI-pushsync': { secret: 'tea-sdk-secret' },
};

function newContext(now: number, secrets = SECRETS) {
  return { lookupKey: (id: string) => secrets[id], clock: { now: () => now }, replayGuard: new ReplayGuard(new InMemoryNonceStore()) };
}

describe('ACS3-HMAC-SHA256, the documented Alibaba Cloud example', () => {
  // help.aliyun.com "V3 request structure and signature": RunInstances with fixed date and nonce.
  const emptyBodyHash = createHash('sha256').update('').digest('hex');
  const documented: SignedHttpRequest = {
    method: 'POST',
    url: '/?ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai',
    headers: {
      host: 'ecs.cn-shanghai.aliyuncs.com',
      'x-acs-action': 'RunInstances',
      'x-acs-version': '2014-05-26',
      'x-acs-date': '2023-10-26T10:22:32Z',
      'x-acs-signature-nonce': '3156853299f313e23d1673dc12e1703d',
      'x-acs-content-sha256': emptyBodyHash,
      authorization:
        'ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;' +
        'x-acs-signature-nonce;x-acs-version,Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0',
    },
  };

  it('follows the documented steps from crypto primitives', () => {
    const canonicalRequest = [
      'POST',
      '/',
      'ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai',
      'host:ecs.cn-shanghai.aliyuncs.com\nx-acs-action:RunInstances\n' +
        `x-acs-content-sha256:${emptyBodyHash}\nx-acs-date:2023-10-26T10:22:32Z\n` +
        'x-acs-signature-nonce:3156853299f313e23d1673dc12e1703d\nx-acs-version:2014-05-26\n',
      'host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version',
      emptyBodyHash,
    ].join('\n');
    const hashed = createHash('sha256').update(canonicalRequest).digest('hex');
    expect(hashed).toBe('7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259');
    expect(createHmac('sha256', 'YourAccessKeySecret').update(`ACS3-HMAC-SHA256\n${hashed}`).digest('hex')).toBe(
      '06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0',
    );

    const { signedHeaders } = parseAcs3Authorization(documented.headers.authorization as string);
    expect(acs3CanonicalRequest({ ...documented, signedHeaders, hashedPayload: emptyBodyHash })).toBe(canonicalRequest);
  });

  it('verifies the documented request, with Action and Version taken from the headers', async () => {
    await expect(verifyAcs3(documented, newContext(Date.parse('2023-10-26T10:30:00Z')))).resolves.toEqual({
      scheme: 'ACS3-HMAC-SHA256',
      accessKeyId: 'YourAccessKeyId',
      key: { secret: 'YourAccessKeySecret' },
      parameters: {
        ImageId: 'win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd',
        RegionId: 'cn-shanghai',
        Action: 'RunInstances',
        Version: '2014-05-26',
      },
    });
  });

  it('signAcs3 produces the documented Authorization', () => {
    const { authorization, 'x-acs-content-sha256': _hash, ...unsigned } = documented.headers as Record<string, string>;
    const added = signAcs3({
      accessKeyId: 'YourAccessKeyId',
      secret: 'YourAccessKeySecret',
      method: 'POST',
      url: documented.url,
      headers: { host: unsigned.host, 'x-acs-action': unsigned['x-acs-action'], 'x-acs-version': unsigned['x-acs-version'] },
      date: new Date('2023-10-26T10:22:32Z'),
      nonce: '3156853299f313e23d1673dc12e1703d',
    });
    expect(added.authorization).toBe(authorization);
  });
});

describe('verifyAcs3 on a PushSimple call laid out like the Tea SDK (form body, POST /)', () => {
  const NOW = Date.parse('2026-11-22T04:10:18Z');
  const body = new URLSearchParams({ AppId: 'ONEX570DA89211720', WorkspaceId: 'test', TargetMsgkey: 'x', DeliveryType: '3' }).toString();
  const headers = {
    host: 'push.example.test',
    'content-type': 'application/x-www-form-urlencoded',
    'x-acs-action': 'PushSimple',
    'x-acs-version': '2020-10-28',
  };

  function signed(overrides: { secret?: string; nonce?: string } = {}): SignedHttpRequest {
    const added = signAcs3({
      accessKeyId: 'LTAI-pushsync',
      secret: overrides.secret ?? 'tea-sdk-secret',
      method: 'POST',
      url: '/',
      headers,
      body,
      date: new Date(NOW),
      nonce: overrides.nonce ?? 'f1c3b7e0a9d24c56b8e7a6d5c4b3a291',
    });
    return { method: 'POST', url: '/', headers: { ...headers, 'user-agent': 'AlibabaCloud', ...added }, body: Buffer.from(body) };
  }

  function editHeaders(request: SignedHttpRequest, edit: Record<string, string | undefined>): SignedHttpRequest {
    return { ...request, headers: { ...request.headers, ...edit } };
  }

  it('signs host, content-type and every x-acs-* header, and verifies', async () => {
    const request = signed();
    expect(request.headers.authorization).toMatch(
      /^ACS3-HMAC-SHA256 Credential=LTAI-pushsync,SignedHeaders=content-type;host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=[0-9a-f]{64}$/,
    );
    await expect(verifyAcs3(request, newContext(NOW))).resolves.toMatchObject({
      accessKeyId: 'LTAI-pushsync',
      parameters: { AppId: 'ONEX570DA89211720', TargetMsgkey: 'x', DeliveryType: '3', Action: 'PushSimple', Version: '2020-10-28' },
    });
  });

  it('is dispatched to ACS3 by verifyOpenApiRequest', async () => {
    await expect(verifyOpenApiRequest(signed(), newContext(NOW))).resolves.toMatchObject({ scheme: 'ACS3-HMAC-SHA256' });
  });

  it.each<[string, (request: SignedHttpRequest) => SignedHttpRequest, string]>([
    ['a tampered body', (r) => ({ ...r, body: Buffer.from(body.replace('TargetMsgkey=x', 'TargetMsgkey=y')) }), 'SIGNATURE_MISMATCH'],
    ['a body hash matching a tampered body', (r) => tamperBodyAndHash(r), 'SIGNATURE_MISMATCH'],
    ['an added query parameter', (r) => ({ ...r, url: '/?Extra=1' }), 'SIGNATURE_MISMATCH'],
    ['a body parameter repeated in the query', (r) => ({ ...r, url: '/?AppId=OTHER' }), 'MALFORMED_AUTHORIZATION'],
    ['another action', (r) => editHeaders(r, { 'x-acs-action': 'PushBroadcast' }), 'SIGNATURE_MISMATCH'],
    ['another host', (r) => editHeaders(r, { host: 'evil.example.test' }), 'SIGNATURE_MISMATCH'],
    ['an unsigned x-acs-* header', (r) => editHeaders(r, { 'x-acs-extra': '1' }), 'MALFORMED_AUTHORIZATION'],
    ['a signed header missing', (r) => editHeaders(r, { 'x-acs-version': undefined }), 'MALFORMED_AUTHORIZATION'],
    ['no date among SignedHeaders', (r) => editHeaders(r, { authorization: dropSigned(r, 'x-acs-date') }), 'MALFORMED_AUTHORIZATION'],
    ['an SM3 signature', (r) => editHeaders(r, { authorization: `ACS3-HMAC-SM3 ${authFields(r)}` }), 'UNSUPPORTED_SIGNATURE_METHOD'],
    ['a malformed date', (r) => editHeaders(r, { 'x-acs-date': '2026-11-22T04:10:18' }), 'INVALID_DATE'],
    ['no nonce', (r) => editHeaders(r, { 'x-acs-signature-nonce': undefined }), 'MALFORMED_AUTHORIZATION'],
    ['no Authorization', (r) => editHeaders(r, { authorization: undefined }), 'MISSING_AUTHORIZATION'],
  ])('refuses %s', async (_case, tamper, code) => {
    await expect(verifyAcs3(tamper(signed()), newContext(NOW))).rejects.toMatchObject({ code });
  });

  it('refuses the wrong secret and an unknown key', async () => {
    await expect(verifyAcs3(signed({ secret: 'guess' }), newContext(NOW))).rejects.toMatchObject({ code: 'SIGNATURE_MISMATCH' });
    await expect(verifyAcs3(signed(), newContext(NOW, {}))).rejects.toMatchObject({ code: 'UNKNOWN_ACCESS_KEY' });
  });

  it.each([
    ['16 minutes late', NOW + 16 * 60_000],
    ['16 minutes early', NOW - 16 * 60_000],
  ])('refuses a clock %s with REQUEST_EXPIRED', async (_case, now) => {
    await expect(verifyAcs3(signed(), newContext(now))).rejects.toMatchObject({ code: 'REQUEST_EXPIRED' });
  });

  it('refuses a replayed x-acs-signature-nonce', async () => {
    const context = newContext(NOW);
    await expect(verifyAcs3(signed(), context)).resolves.toBeDefined();
    await expect(verifyAcs3(signed(), context)).rejects.toMatchObject({ code: 'NONCE_REPLAYED' });
  });

  function tamperBodyAndHash(request: SignedHttpRequest): SignedHttpRequest {
    const tampered = body.replace('TargetMsgkey=x', 'TargetMsgkey=y');
    const hash = createHash('sha256').update(tampered).digest('hex');
    return { ...editHeaders(request, { 'x-acs-content-sha256': hash }), body: Buffer.from(tampered) };
  }

  function authFields(request: SignedHttpRequest): string {
    return (request.headers.authorization as string).split(' ')[1];
  }

  function dropSigned(request: SignedHttpRequest, header: string): string {
    return (request.headers.authorization as string).replace(`;${header};`, ';');
  }
});

import { generateKeyPairSync } from 'node:crypto';

import { ReplayGuard } from './replay-guard';
import { InMemoryNonceStore } from './testing/in-memory-nonce-store';
import { canonicalQuery, signRestV1, type RestV1SigningKey } from './rest-v1-signature';
import { verifyRestV1, type RestV1Key } from './rest-v1-verifier';
import type { SignedHttpRequest } from './signed-request';


const NOW = Date.parse('2026-11-22T04:10:18Z');
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const KEYS: Record<string, RestV1Key & { appId: string }> = {
  'AK-HMAC': { appId: 'ONEX570DA89211720', secret: 'the-real-secret' },
  'AK-RSA': {
    appId: 'ONEX570DA89211720',
    secret: 'the-other-secret',
    rsaPublicKeyPem: rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  },
};

function newContext(now = NOW) {
  return { lookupKey: (id: string) => KEYS[id], clock: { now: () => now }, replayGuard: new ReplayGuard(new InMemoryNonceStore()) };
}

const QUERY = { appId: 'ONEX570DA89211720', tag: 'a b*' };
const BODY = '{"appId":"ONEX570DA89211720","workspaceId":"test","targetMsgkey":"x"}';

function signedRequest(
  overrides: { key?: RestV1SigningKey; accessKeyId?: string; date?: string; nonce?: string } = {},
): SignedHttpRequest {
  const headers = signRestV1({
    accessKeyId: overrides.accessKeyId ?? 'AK-HMAC',
    ...(overrides.key ?? { secret: 'the-real-secret' }),
    method: 'POST',
    path: '/v1/push/simple',
    query: QUERY,
    body: BODY,
    date: overrides.date ?? '2026-11-22T04:10:18Z',
    nonce: overrides.nonce ?? 'abcdefghijklmnop-0001',
  });
  return { method: 'POST', url: `/v1/push/simple?${canonicalQuery(QUERY)}`, headers: { ...headers, 'content-type': 'application/json' }, body: BODY };
}

function withHeader(request: SignedHttpRequest, name: string, value: string | undefined): SignedHttpRequest {
  return { ...request, headers: { ...request.headers, [name]: value } };
}

describe('verifyRestV1', () => {
  it('accepts a freshly signed request and hands back the key', async () => {
    await expect(verifyRestV1(signedRequest(), newContext())).resolves.toEqual({
      scheme: 'PS-HMAC-SHA256',
      accessKeyId: 'AK-HMAC',
      key: KEYS['AK-HMAC'],
    });
  });

  it('accepts the body as bytes, lowercase header names and the query in another order', async () => {
    const request = signedRequest();
    const lowercased = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value]));
    const reordered = { ...request, url: '/v1/push/simple?tag=a%20b%2A&appId=ONEX570DA89211720', headers: lowercased, body: Buffer.from(BODY) };
    await expect(verifyRestV1(reordered, newContext())).resolves.toMatchObject({ accessKeyId: 'AK-HMAC' });
  });

  it.each([
    ['four minutes late', NOW + 4 * 60_000],
    ['four minutes early', NOW - 4 * 60_000],
  ])('tolerates a clock %s', async (_case, now) => {
    await expect(verifyRestV1(signedRequest(), newContext(now))).resolves.toBeDefined();
  });

  it.each<[string, (request: SignedHttpRequest) => SignedHttpRequest]>([
    ['a tampered body', (request) => ({ ...request, body: BODY.replace('"x"', '"y"') })],
    ['a tampered path', (request) => ({ ...request, url: request.url.replace('/simple', '/broadcast') })],
    ['a tampered query', (request) => ({ ...request, url: request.url.replace('tag=a', 'tag=b') })],
    ['an extra query parameter', (request) => ({ ...request, url: `${request.url}&extra=1` })],
    ['another method', (request) => ({ ...request, method: 'PUT' })],
  ])('refuses %s with SIGNATURE_MISMATCH', async (_case, tamper) => {
    await expect(verifyRestV1(tamper(signedRequest()), newContext())).rejects.toMatchObject({ code: 'SIGNATURE_MISMATCH' });
  });

  it('refuses a request signed with the wrong secret, naming the server string to sign', async () => {
    const error = await verifyRestV1(signedRequest({ key: { secret: 'a-guessed-secret' } }), newContext()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SIGNATURE_MISMATCH', serverStringToSign: expect.stringMatching(/^POST\n\/v1\/push\/simple\n/) });
  });

  it('refuses an unknown AccessKey ID', async () => {
    await expect(verifyRestV1(signedRequest({ accessKeyId: 'AK-REVOKED' }), newContext())).rejects.toMatchObject({
      code: 'UNKNOWN_ACCESS_KEY',
      message: expect.stringContaining('"AK-REVOKED"'),
    });
  });

  it.each([
    ['6 minutes old', NOW + 6 * 60_000, /360 s behind/],
    ['6 minutes in the future', NOW - 6 * 60_000, /360 s ahead of/],
  ])('refuses a date %s with REQUEST_EXPIRED', async (_case, now, message) => {
    await expect(verifyRestV1(signedRequest(), newContext(now))).rejects.toMatchObject({
      code: 'REQUEST_EXPIRED',
      message: expect.stringMatching(message),
    });
  });

  it('accepts fractional seconds in X-PS-Date', async () => {
    await expect(verifyRestV1(signedRequest({ date: '2026-11-22T04:10:18.250Z' }), newContext())).resolves.toBeDefined();
  });

  it.each([
    ['a space instead of T', '2026-11-22 04:10:18Z'],
    ['an offset instead of Z', '2026-11-22T12:10:18+08:00'],
    ['no seconds', '2026-11-22T04:10Z'],
    ['an impossible day', '2026-02-30T04:10:18Z'],
    ['an HTTP date', 'Sun, 22 Nov 2026 04:10:18 GMT'],
  ])('refuses X-PS-Date with %s as INVALID_DATE', async (_case, date) => {
    await expect(verifyRestV1(signedRequest({ date }), newContext())).rejects.toMatchObject({ code: 'INVALID_DATE' });
  });

  it('refuses a missing X-PS-Date as INVALID_DATE', async () => {
    await expect(verifyRestV1(withHeader(signedRequest(), 'X-PS-Date', undefined), newContext())).rejects.toMatchObject({
      code: 'INVALID_DATE',
      message: expect.stringContaining('X-PS-Date is missing'),
    });
  });

  it.each([
    ['too short (15)', 'abcdefghijklmno'],
    ['too long (65)', 'a'.repeat(65)],
    ['with a dot', 'abcdefghijklmnop.q'],
    ['with a space', 'abcdefgh ijklmnopq'],
  ])('refuses a nonce %s with INVALID_NONCE', async (_case, nonce) => {
    await expect(verifyRestV1(signedRequest({ nonce }), newContext())).rejects.toMatchObject({ code: 'INVALID_NONCE' });
  });

  it('refuses a replayed nonce, but only once the first request was genuine', async () => {
    const context = newContext();
    const forged = withHeader(signedRequest({ key: { secret: 'wrong' } }), 'X-PS-Nonce', 'abcdefghijklmnop-0001');
    await expect(verifyRestV1(forged, context)).rejects.toMatchObject({ code: 'SIGNATURE_MISMATCH' });
    await expect(verifyRestV1(signedRequest(), context)).resolves.toBeDefined();
    await expect(verifyRestV1(signedRequest(), context)).rejects.toMatchObject({ code: 'NONCE_REPLAYED' });
  });

  it('refuses a missing Authorization header', async () => {
    await expect(verifyRestV1(withHeader(signedRequest(), 'Authorization', undefined), newContext())).rejects.toMatchObject({
      code: 'MISSING_AUTHORIZATION',
    });
  });
});

describe('verifyRestV1 with PS-RSA-SHA256', () => {
  const rsaKey = { rsaPrivateKey: rsa.privateKey };

  it('accepts a request signed with the app private key', async () => {
    const request = signedRequest({ accessKeyId: 'AK-RSA', key: rsaKey });
    expect(request.headers.Authorization).toMatch(/^PS-RSA-SHA256 Credential=AK-RSA, Signature=[A-Za-z0-9_-]{342}$/);
    await expect(verifyRestV1(request, newContext())).resolves.toMatchObject({ scheme: 'PS-RSA-SHA256', accessKeyId: 'AK-RSA' });
  });

  it('accepts the signature with base64 padding', async () => {
    const request = signedRequest({ accessKeyId: 'AK-RSA', key: rsaKey });
    const padded = withHeader(request, 'Authorization', `${request.headers.Authorization as string}==`);
    await expect(verifyRestV1(padded, newContext())).resolves.toBeDefined();
  });

  it('refuses a tampered body', async () => {
    const request = { ...signedRequest({ accessKeyId: 'AK-RSA', key: rsaKey }), body: BODY.replace('test', 'prod') };
    await expect(verifyRestV1(request, newContext())).rejects.toMatchObject({ code: 'SIGNATURE_MISMATCH' });
  });

  it('refuses a signature made with another private key', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const request = signedRequest({ accessKeyId: 'AK-RSA', key: { rsaPrivateKey: other.privateKey } });
    await expect(verifyRestV1(request, newContext())).rejects.toMatchObject({ code: 'SIGNATURE_MISMATCH' });
  });

  it('refuses the RSA scheme for an app without a public key', async () => {
    const request = signedRequest({ accessKeyId: 'AK-HMAC', key: rsaKey });
    await expect(verifyRestV1(request, newContext())).rejects.toMatchObject({
      code: 'UNSUPPORTED_SIGNATURE_METHOD',
      message: expect.stringContaining('no RSA public key'),
    });
  });
});

import { createHash, createHmac } from 'node:crypto';

import { canonicalQuery, parseAuthorization, signRestV1, stringToSign } from './rest-v1-signature';

const BODY = '{"appId":"ONEX570DA89211720","workspaceId":"test"}';

describe('REST v1 string to sign and signature (PS-HMAC-SHA256)', () => {
  const request = {
    accessKeyId: 'AK-TEST-1',
    secret: 's3cr3t-for-tests',
    method: 'post',
    path: '/v1/push/simple',
    query: { tag: 'a b', dryRun: true },
    body: BODY,
    date: '2026-11-22T04:10:18Z',
    nonce: 'n0nce-0123456789_abcdef',
  };

  it('builds METHOD\\nPATH\\nCANONICAL_QUERY\\nX-PS-Date\\nX-PS-Nonce\\nhex(sha256(body))', () => {
    const bodyHash = createHash('sha256').update(Buffer.from(BODY, 'utf8')).digest('hex');
    expect(stringToSign(request)).toBe(
      `POST\n/v1/push/simple\ndryRun=true&tag=a%20b\n2026-11-22T04:10:18Z\nn0nce-0123456789_abcdef\n${bodyHash}`,
    );
  });

  it('signs a fixed request with the expected lowercase hex HMAC-SHA256', () => {
    const byHand = createHmac('sha256', 's3cr3t-for-tests')
      .update(
        'POST\n/v1/push/simple\ndryRun=true&tag=a%20b\n2026-11-22T04:10:18Z\nn0nce-0123456789_abcdef\n' +
          'a30c5e1b90fb2c51a4c22a1f9fe0fd5eb60ff1fef3c42a35d7c3f1b687363e49',
      )
      .digest('hex');
    expect(byHand).toBe('8660276b2c962d330072b08cb62304ce43083f4ce3bf25e4895941a881ff2e6a');
    expect(signRestV1(request)).toEqual({
      Authorization: `PS-HMAC-SHA256 Credential=AK-TEST-1, Signature=${byHand}`,
      'X-PS-Date': '2026-11-22T04:10:18Z',
      'X-PS-Nonce': 'n0nce-0123456789_abcdef',
    });
  });

  it('hashes an absent body as the empty string', () => {
    expect(stringToSign({ method: 'GET', path: '/v1/templates', date: 'd', nonce: 'n' }).split('\n')[5]).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  it('defaults to a second-precision UTC date and a fresh URL-safe nonce', () => {
    const first = signRestV1({ ...request, date: new Date('2026-11-22T04:10:18.734Z'), nonce: undefined });
    const second = signRestV1({ ...request, nonce: undefined });
    expect(first['X-PS-Date']).toBe('2026-11-22T04:10:18Z');
    expect(first['X-PS-Nonce']).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(second['X-PS-Nonce']).not.toBe(first['X-PS-Nonce']);
  });
});

describe('canonicalQuery', () => {
  it.each([
    ['no parameters', undefined, ''],
    ['an empty record', {}, ''],
    ['space as %20, never +', { q: 'a b' }, 'q=a%20b'],
    ['* as %2A', { q: 'a*b' }, 'q=a%2Ab'],
    ["!'() encoded too", { q: "!'()" }, 'q=%21%27%28%29'],
    ['unreserved - _ . ~ kept', { q: 'A-z_0.9~' }, 'q=A-z_0.9~'],
    ['reserved characters encoded', { q: 'a/b?c=d&e+f' }, 'q=a%2Fb%3Fc%3Dd%26e%2Bf'],
    ['UTF-8 bytes of non-ASCII', { 名: 'é中😀' }, '%E5%90%8D=%C3%A9%E4%B8%AD%F0%9F%98%80'],
    ['names encoded as well', { 'a b': '1' }, 'a%20b=1'],
    ['empty values kept as name=', { empty: '' }, 'empty='],
    ['sorted by name', { b: '1', a: '2', B: '3' }, 'B=3&a=2&b=1'],
    ['repeated names sorted by value', { tag: ['z', 'a', 'm'] }, 'tag=a&tag=m&tag=z'],
    ['numbers and booleans as text', { n: 3, t: false }, 'n=3&t=false'],
  ])('%s', (_case, query, expected) => {
    expect(canonicalQuery(query)).toBe(expected);
  });

  it('takes a raw query string, decoding + as a space like any form decoder', () => {
    expect(canonicalQuery('?b=x+y&a=%2A&a=1')).toBe('a=%2A&a=1&b=x%20y');
  });

  it('takes pairs and URLSearchParams', () => {
    expect(canonicalQuery([['k', '2'], ['k', '1']])).toBe('k=1&k=2');
    expect(canonicalQuery(new URLSearchParams('z=1&y=2'))).toBe('y=2&z=1');
  });

  it('sorts by Unicode code point (UTF-8 byte order), not by UTF-16 code unit', () => {
    // U+FF5E < U+1F600 by code point; JavaScript's default sort would put the emoji first.
    expect(canonicalQuery([['😀', '1'], ['～', '2']])).toBe('%EF%BD%9E=2&%F0%9F%98%80=1');
  });
});

describe('parseAuthorization', () => {
  const hex = 'ab'.repeat(32);

  it('reads the HMAC scheme with or without a space after the comma', () => {
    const expected = { scheme: 'PS-HMAC-SHA256', accessKeyId: 'AK1', signature: hex };
    expect(parseAuthorization(`PS-HMAC-SHA256 Credential=AK1, Signature=${hex}`)).toEqual(expected);
    expect(parseAuthorization(`PS-HMAC-SHA256 Credential=AK1,Signature=${hex}`)).toEqual(expected);
    expect(parseAuthorization(`PS-HMAC-SHA256 Signature=${hex},   Credential=AK1`)).toEqual(expected);
  });

  it('reads the RSA scheme with URL-safe base64, padded or not', () => {
    expect(parseAuthorization('PS-RSA-SHA256 Credential=AK1, Signature=ab-_cd').signature).toBe('ab-_cd');
    expect(parseAuthorization('PS-RSA-SHA256 Credential=AK1, Signature=ab-_cQ==').signature).toBe('ab-_cQ==');
  });

  it.each([
    ['absent', undefined, 'MISSING_AUTHORIZATION', /Authorization header is missing/],
    ['empty', '  ', 'MISSING_AUTHORIZATION', /Authorization header is missing/],
    ['sent twice', ['a', 'b'], 'MALFORMED_AUTHORIZATION', /more than once/],
    ['a scheme alone', 'PS-HMAC-SHA256', 'MALFORMED_AUTHORIZATION', /expected/],
    ['another scheme', `Bearer ${hex}`, 'UNSUPPORTED_SIGNATURE_METHOD', /"Bearer" is not supported/],
    ['a lowercase scheme', `ps-hmac-sha256 Credential=AK1, Signature=${hex}`, 'UNSUPPORTED_SIGNATURE_METHOD', /ps-hmac-sha256/],
    ['no Signature', 'PS-HMAC-SHA256 Credential=AK1', 'MALFORMED_AUTHORIZATION', /Signature is missing/],
    ['no Credential', `PS-HMAC-SHA256 Signature=${hex}`, 'MALFORMED_AUTHORIZATION', /Credential is missing/],
    ['an empty Credential', `PS-HMAC-SHA256 Credential=, Signature=${hex}`, 'MALFORMED_AUTHORIZATION', /Credential=/],
    ['a repeated Credential', `PS-HMAC-SHA256 Credential=A, Credential=B, Signature=${hex}`, 'MALFORMED_AUTHORIZATION', /more than once/],
    ['an unknown field', `PS-HMAC-SHA256 Credential=AK1, Signature=${hex}, Extra=1`, 'MALFORMED_AUTHORIZATION', /Extra=1/],
    ['a trailing comma', `PS-HMAC-SHA256 Credential=AK1, Signature=${hex},`, 'MALFORMED_AUTHORIZATION', /""/],
    ['semicolons', `PS-HMAC-SHA256 Credential=AK1; Signature=${hex}`, 'MALFORMED_AUTHORIZATION', /expected/],
    ['uppercase hex', `PS-HMAC-SHA256 Credential=AK1, Signature=${hex.toUpperCase()}`, 'MALFORMED_AUTHORIZATION', /64 lowercase hex/],
    ['short hex', `PS-HMAC-SHA256 Credential=AK1, Signature=${hex.slice(2)}`, 'MALFORMED_AUTHORIZATION', /64 lowercase hex/],
    ['standard base64 for RSA', 'PS-RSA-SHA256 Credential=AK1, Signature=ab+/cd', 'MALFORMED_AUTHORIZATION', /URL-safe base64/],
  ])('refuses %s', (_case, header, code, message) => {
    expect(() => parseAuthorization(header)).toThrow(expect.objectContaining({ code, message: expect.stringMatching(message) }));
  });
});

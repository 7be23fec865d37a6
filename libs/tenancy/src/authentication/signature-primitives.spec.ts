import { MalformedAuthorizationError, UnknownAccessKeyError, isAuthenticationError } from './authentication.errors';
import { assertFreshTimestamp, constantTimeEqual, formatUtcTimestamp, parseUtcTimestamp, percentEncode } from './signature-primitives';

describe('percentEncode', () => {
  it('encodes everything but the RFC 3986 unreserved characters', () => {
    expect(percentEncode("AZaz09-_.~ !'()*+/:=&%é")).toBe('AZaz09-_.~%20%21%27%28%29%2A%2B%2F%3A%3D%26%25%C3%A9');
  });
});

describe('parseUtcTimestamp', () => {
  it.each([
    ['2026-11-22T04:10:18Z', Date.UTC(2026, 10, 22, 4, 10, 18)],
    ['2026-11-22T04:10:18.5Z', Date.UTC(2026, 10, 22, 4, 10, 18, 500)],
    ['2026-11-22T04:10:18.123456789Z', Date.UTC(2026, 10, 22, 4, 10, 18, 123)],
    ['2028-02-29T00:00:00Z', Date.UTC(2028, 1, 29)],
  ])('reads %s', (value, expected) => {
    expect(parseUtcTimestamp(value)).toBe(expected);
  });

  it.each([
    '2026-11-22T04:10:18',
    '2026-11-22t04:10:18z',
    '2026-11-22T04:10:18+00:00',
    '2026-11-22T04:10:18.Z',
    '2027-02-29T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-11-22T24:00:00Z',
    '2026-11-22T23:59:60Z',
    '0099-01-01T00:00:00Z',
    ' 2026-11-22T04:10:18Z',
  ])('refuses %s', (value) => {
    expect(parseUtcTimestamp(value)).toBeUndefined();
  });

  it('formats to second precision', () => {
    expect(formatUtcTimestamp(new Date(Date.UTC(2026, 10, 22, 4, 10, 18, 999)))).toBe('2026-11-22T04:10:18Z');
  });
});

describe('assertFreshTimestamp', () => {
  const now = Date.UTC(2026, 10, 22, 4, 10, 18);

  it('accepts the window edges and refuses one millisecond beyond', () => {
    expect(() => assertFreshTimestamp('X-PS-Date', '2026-11-22T04:15:18Z', now, 300_000)).not.toThrow();
    expect(() => assertFreshTimestamp('X-PS-Date', '2026-11-22T04:05:18Z', now, 300_000)).not.toThrow();
    expect(() => assertFreshTimestamp('X-PS-Date', '2026-11-22T04:15:18.001Z', now, 300_000)).toThrow(
      expect.objectContaining({ code: 'REQUEST_EXPIRED', message: expect.stringContaining('±300 s') }),
    );
  });
});

describe('constantTimeEqual', () => {
  it('is true only for identical strings', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });
});

describe('authentication errors', () => {
  it('carry a machine code, their class name and a bounded echo of caller input', () => {
    const error = new MalformedAuthorizationError('x');
    expect(isAuthenticationError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'MALFORMED_AUTHORIZATION', name: 'MalformedAuthorizationError' });
    expect(isAuthenticationError(new Error('x'))).toBe(false);
    expect(new UnknownAccessKeyError('K'.repeat(500)).message).toMatch(/^AccessKey ID "K{80}…" does not exist/);
  });
});

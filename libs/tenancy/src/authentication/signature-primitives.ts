import { createHash, timingSafeEqual } from 'node:crypto';

import { InvalidDateError, RequestExpiredError } from './authentication.errors';

/** RFC 3986: everything but `A-Z a-z 0-9 - _ . ~` becomes `%XX` of its UTF-8 bytes. */
export function percentEncode(value: string): string {
  // encodeURIComponent leaves !'()* alone; RFC 3986 (and every Alibaba Cloud SDK) encodes them.
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Compares two signatures without a data-dependent early exit. Only the length can leak,
 * and signature lengths are public.
 */
export function constantTimeEqual(expected: string, actual: string): boolean {
  const expectedBytes = Buffer.from(expected, 'utf8');
  const actualBytes = Buffer.from(actual, 'utf8');
  if (expectedBytes.length !== actualBytes.length) {
    timingSafeEqual(expectedBytes, expectedBytes);
    return false;
  }
  return timingSafeEqual(expectedBytes, actualBytes);
}

export const UTC_TIMESTAMP_FORMAT = 'a UTC timestamp like 2026-11-22T04:10:18Z (fractional seconds allowed)';

const UTC_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;

/** Milliseconds since the epoch, or undefined unless `value` is a real instant in the form above. */
export function parseUtcTimestamp(value: string): number | undefined {
  const match = UTC_TIMESTAMP.exec(value);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  const instant = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Date.UTC rolls 2026-02-30 over to March and maps years 0-99 to 19xx: refuse both.
  const roundTrips =
    instant.getUTCFullYear() === year &&
    instant.getUTCMonth() === month - 1 &&
    instant.getUTCDate() === day &&
    instant.getUTCHours() === hour &&
    instant.getUTCMinutes() === minute &&
    instant.getUTCSeconds() === second;
  if (!roundTrips) return undefined;
  const milliseconds = match[7] === undefined ? 0 : Math.floor(Number(`0.${match[7]}`) * 1000);
  return instant.getTime() + milliseconds;
}

/** `2026-11-22T04:10:18Z`: second precision, the form every signer here sends. */
export function formatUtcTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Checks a request's signing time: well-formed and within ±`allowedSkewMs` of `nowMs`. */
export function assertFreshTimestamp(
  field: string,
  value: string | undefined,
  nowMs: number,
  allowedSkewMs: number,
): asserts value is string {
  if (value === undefined || value === '') throw new InvalidDateError(field, undefined, UTC_TIMESTAMP_FORMAT);
  const signedAt = parseUtcTimestamp(value);
  if (signedAt === undefined) throw new InvalidDateError(field, value, UTC_TIMESTAMP_FORMAT);
  if (Math.abs(signedAt - nowMs) > allowedSkewMs) {
    throw new RequestExpiredError(field, value, signedAt - nowMs, allowedSkewMs);
  }
}

/** Comparison by UTF-16 code units, i.e. what `Array.prototype.sort()` does (the JS SDKs' order). */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Comparison by Unicode code points (= UTF-8 byte order), the same in every language. */
export function compareCodePoints(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

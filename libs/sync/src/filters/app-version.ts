export const VERSION_MAX_CHARS = 20;
const WELL_FORMED_VERSION = /^[0-9A-Za-z]+(\.[0-9A-Za-z]+)*$/;
const NUMERIC = /^[0-9]+$/;

/** An app version filter value: at most 20 characters, segments of [0-9A-Za-z] separated by single dots. */
export function isWellFormedVersion(version: string): boolean {
  return version.length <= VERSION_MAX_CHARS && WELL_FORMED_VERSION.test(version);
}

/**
 * Orders two dot-separated versions (DECISIONS D3 "Version filters"): segment by segment, a
 * missing segment counting as 0. Two numeric segments compare as numbers (of any length), two
 * other segments as text in code point order, and a numeric segment sorts before a non-numeric one
 * (as in SemVer's pre-release rules), so 1.0 < 1.0.beta and 2.9 < 2.a.
 * Returns a negative number, 0 or a positive number.
 */
export function compareVersions(a: string, b: string): number {
  const left = a.split('.');
  const right = b.split('.');
  for (let index = 0; index < Math.max(left.length, right.length); index++) {
    const order = compareSegments(left[index] ?? '0', right[index] ?? '0');
    if (order !== 0) return order;
  }
  return 0;
}

function compareSegments(a: string, b: string): number {
  const aNumeric = NUMERIC.test(a);
  const bNumeric = NUMERIC.test(b);
  if (aNumeric && bNumeric) return compareNumerals(a, b);
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Decimal numerals of any length, without the precision limit of Number. */
function compareNumerals(a: string, b: string): number {
  const left = a.replace(/^0+(?=.)/, '');
  const right = b.replace(/^0+(?=.)/, '');
  if (left.length !== right.length) return left.length - right.length;
  return left < right ? -1 : left > right ? 1 : 0;
}

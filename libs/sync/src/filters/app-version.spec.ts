import { compareVersions, isWellFormedVersion } from './app-version';

const sign = (value: number) => Math.sign(value);

describe('compareVersions', () => {
  it.each([
    ['1.2.3', '1.2.3', 0],
    ['1.2.10', '1.2.9', 1],
    ['8.6.0.0.9999', '9.0.0.0.9999', -1],
    ['0.0.0.0', '100.100.100.100', -1],
    ['1.0', '1.0.0.0', 0],
    ['1.0.1', '1', 1],
    ['01.2', '1.2', 0],
    ['99999999999999999999', '99999999999999999998', 1],
    ['1.0', '1.0.beta', -1],
    ['2.9', '2.a', -1],
    ['2.alpha', '2.beta', -1],
    ['2.Z', '2.a', -1],
    ['1.rc', '1.rc', 0],
  ])('%s vs %s -> %i', (a, b, expected) => {
    expect(sign(compareVersions(a, b))).toBe(expected);
    expect(sign(compareVersions(b, a))).toBe(-expected || 0);
  });
});

describe('isWellFormedVersion', () => {
  it.each(['1', '8.6.0.0.9999', '100.100.100.100', '1.0.beta', 'A'.repeat(20)])('accepts %s', (version) => {
    expect(isWellFormedVersion(version)).toBe(true);
  });

  it.each(['', '.1', '1.', '1..2', '1.0-beta', ' 1.0', '1.0 ', 'v1,2', 'A'.repeat(21), '1.2.3.4.5.6.7.8.9.10.1', 'é'])('refuses %j', (version) => {
    expect(isWellFormedVersion(version)).toBe(false);
  });
});

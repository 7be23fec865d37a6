import { uidSegment } from './uid-segment';

describe('uidSegment', () => {
  it.each([
    ['user1234', 23],
    ['ab', 7],
    ['X9Y8Z', 98],
    ['', 0],
    ['7', 0],
    ['abc', 78],
  ])('follows the vectors of D3: %j -> %i', (id, segment) => {
    expect(uidSegment(id)).toBe(segment);
  });

  it('reads the characters as code points, not UTF-16 units', () => {
    // U+1F600 is two UTF-16 units; as one code point (128512 % 10 = 2) it is the tens, '5' the units.
    expect(uidSegment('\u{1F600}5x')).toBe(25);
    expect(uidSegment('1\u{1F600}')).toBe(0 * 10 + 1);
  });

  it('counts only ASCII digits as digits', () => {
    // The Arabic-Indic digit ٣ (U+0663 = 1635) counts as 1635 % 10 = 5, not 3.
    expect(uidSegment('\u06639z')).toBe(59);
  });
});

import { subjectMatches } from './subject-match';

describe('subjectMatches', () => {
  it.each([
    ['a.b.c', 'a.b.c'],
    ['a.*.c', 'a.b.c'],
    ['*.*.*', 'a.b.c'],
    ['a.>', 'a.b'],
    ['a.>', 'a.b.c.d'],
    ['>', 'a'],
    ['*', 'a'],
    ['a.*.>', 'a.b.c'],
  ])('%s matches %s', (pattern, subject) => {
    expect(subjectMatches(pattern, subject)).toBe(true);
  });

  it.each([
    ['a.b.c', 'a.b'],
    ['a.b', 'a.b.c'],
    ['a.b.c', 'a.b.d'],
    ['a.*.c', 'a.b.d'],
    ['a.*', 'a.b.c'],
    ['a.*', 'a'],
    ['a.>', 'a'],
    ['a.*.>', 'a.b'],
    ['*', 'a.b'],
    ['a.b', 'a.bc'],
  ])('%s does not match %s', (pattern, subject) => {
    expect(subjectMatches(pattern, subject)).toBe(false);
  });
});

import { parseOsType } from './os-type';

describe('parseOsType', () => {
  it.each([
    ['IOS', ['IOS']],
    ['ios', ['IOS']],
    ['Android', ['ANDROID']],
    ['HARMONYOS', ['HARMONY']],
    ['harmony', ['HARMONY']],
    ['web', ['WEB']],
    ['IOS/ANDROID', ['IOS', 'ANDROID']],
    ['iOS/Android', ['IOS', 'ANDROID']],
    ['IOS, ANDROID,WEB', ['IOS', 'ANDROID', 'WEB']],
    ['HARMONY/HarmonyOS', ['HARMONY']],
  ])('reads %j as %j', (osType, platforms) => {
    expect(parseOsType(osType)).toEqual(platforms);
  });

  it.each(['', '   '])('reads %j as every platform (null)', (osType) => {
    expect(parseOsType(osType)).toBeNull();
  });

  it.each([
    ['WINDOWS', /"WINDOWS" is not a platform/],
    ['IOS/', /"" is not a platform/],
    ['IOS;ANDROID', /"IOS;ANDROID" is not a platform/],
    ['PLATFORM_UNSPECIFIED', /not a platform/],
  ])('refuses %j with ARGS_INVALID naming osType', (osType, message) => {
    expect(() => parseOsType(osType)).toThrow(expect.objectContaining({ code: 'ARGS_INVALID', kind: 'validation', message: expect.stringMatching(/^osType: /) }));
    expect(() => parseOsType(osType)).toThrow(message);
  });
});

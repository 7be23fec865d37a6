import type { StrategyRequest } from '../push-request';
import { planStrategy } from './strategy';

const at = (iso: string): number => Date.parse(iso);
/** Monday 2024-03-04, 10:00:00.500 in the app's zone. */
const NOW = at('2024-03-04T10:00:00.500+08:00');
const OPTIONS = { now: NOW, timeZone: '+08:00' };

const timed = (content: Record<string, unknown>): StrategyRequest => ({ strategyType: 1, content });
const cyclic = (content: Record<string, unknown>): StrategyRequest => ({ strategyType: 2, content });
const DAILY = { startTime: at('2024-03-04T00:00:00+08:00'), endTime: at('2024-03-10T00:00:00+08:00'), circleType: 1, time: '13:45:11' };

function refusal(strategy: StrategyRequest, options = OPTIONS): string {
  try {
    planStrategy(strategy, options);
  } catch (error) {
    expect(error).toMatchObject({ code: 'INVALID_PARAM', numericCode: 3028, kind: 'validation' });
    return (error as Error).message;
  }
  throw new Error('the strategy was accepted');
}

describe('planStrategy', () => {
  it('has no schedule for strategyType 0 and needs StrategyContent for 1 and 2', () => {
    expect(refusal({ strategyType: 0, content: null })).toMatch(/strategyType 0/);
    expect(refusal({ strategyType: 1, content: null })).toMatch(/StrategyContent is required/);
    expect(refusal({ strategyType: 2, content: null })).toMatch(/StrategyContent is required/);
  });

  describe('timed (strategyType 1)', () => {
    it('takes fixedTime to the second and ignores the cyclic fields', () => {
      expect(planStrategy(timed({ ...DAILY, circleType: 9, fixedTime: at('2024-03-05T09:00:00.999+08:00') }), OPTIONS)).toEqual({
        type: 'TIMED',
        fixedTime: at('2024-03-05T09:00:00+08:00'),
      });
    });

    it('accepts fixedTime given as a string of digits', () => {
      expect(planStrategy(timed({ fixedTime: String(NOW + 60_000) }), OPTIONS)).toEqual({ type: 'TIMED', fixedTime: NOW - 500 + 60_000 });
    });

    it('requires fixedTime', () => {
      expect(refusal(timed({}))).toMatch(/fixedTime is required/);
    });

    it('refuses a fixedTime that is not an integer', () => {
      expect(refusal(timed({ fixedTime: 'tomorrow' }))).toMatch(/fixedTime must be an integer/);
      expect(refusal(timed({ fixedTime: 1.5 }))).toMatch(/fixedTime must be an integer/);
    });

    it('counts the current second as the future and refuses anything before it', () => {
      expect(planStrategy(timed({ fixedTime: NOW - 500 }), OPTIONS)).toEqual({ type: 'TIMED', fixedTime: NOW - 500 });
      expect(refusal(timed({ fixedTime: NOW - 501 }))).toMatch(/fixedTime must not be in the past/);
    });
  });

  describe('cyclic (strategyType 2)', () => {
    it('plans the cycle in local dates of the app zone and ignores fields that do not apply', () => {
      expect(planStrategy(cyclic({ ...DAILY, fixedTime: 1, circleValue: 'ignored' }), OPTIONS)).toEqual({
        type: 'CYCLIC',
        startDay: '2024-03-04',
        endDay: '2024-03-10',
        circleType: 'DAILY',
        circleValue: [],
        time: '13:45:11',
      });
    });

    it('reads the dates in the app zone: 00:00 at +08:00 is still the previous day at UTC', () => {
      const strategy = cyclic({ ...DAILY, startTime: at('2024-03-05T00:00:00+08:00') });
      expect(planStrategy(strategy, OPTIONS)).toMatchObject({ startDay: '2024-03-05' });
      expect(planStrategy(strategy, { now: NOW, timeZone: 'UTC' })).toMatchObject({ startDay: '2024-03-04' });
    });

    it('sorts weekly and monthly days and drops repeats', () => {
      expect(planStrategy(cyclic({ ...DAILY, circleType: 2, circleValue: [7, 1, 3, 1] }), OPTIONS)).toMatchObject({ circleType: 'WEEKLY', circleValue: [1, 3, 7] });
      expect(planStrategy(cyclic({ ...DAILY, circleType: 3, circleValue: ['31', 4] }), OPTIONS)).toMatchObject({ circleType: 'MONTHLY', circleValue: [4, 31] });
    });

    it.each(['startTime', 'endTime', 'circleType', 'time'])('requires %s', (field) => {
      expect(refusal(cyclic({ ...DAILY, [field]: undefined }))).toMatch(new RegExp(`${field} is required`));
    });

    it('refuses an unknown circleType', () => {
      expect(refusal(cyclic({ ...DAILY, circleType: 4 }))).toMatch(/circleType must be 1 \(daily\), 2 \(weekly\) or 3 \(monthly\)/);
    });

    it.each(['9:45:11', '24:00:00', '12:60:00', '12:00'])('refuses the time %s', (time) => {
      expect(refusal(cyclic({ ...DAILY, time }))).toMatch(/time must be HH:mm:ss/);
    });

    it('requires circleValue when weekly or monthly', () => {
      expect(refusal(cyclic({ ...DAILY, circleType: 2 }))).toMatch(/circleValue is required/);
      expect(refusal(cyclic({ ...DAILY, circleType: 3, circleValue: [] }))).toMatch(/circleValue is required/);
    });

    it('refuses days outside 1..7 when weekly and outside 1..31 when monthly', () => {
      expect(refusal(cyclic({ ...DAILY, circleType: 2, circleValue: [1, 8] }))).toMatch(/circleValue must hold days 1 \(Monday\) to 7 \(Sunday\)/);
      expect(refusal(cyclic({ ...DAILY, circleType: 3, circleValue: [0] }))).toMatch(/circleValue must hold days 1 to 31/);
      expect(refusal(cyclic({ ...DAILY, circleType: 3, circleValue: [32] }))).toMatch(/circleValue must hold days 1 to 31/);
      expect(refusal(cyclic({ ...DAILY, circleType: 3, circleValue: [1.5] }))).toMatch(/circleValue must hold days 1 to 31/);
    });

    it('refuses a start earlier than 00:00 of the current day', () => {
      expect(refusal(cyclic({ ...DAILY, startTime: at('2024-03-03T23:59:59+08:00') }))).toMatch(/startTime must not be earlier than 00:00 of the current day/);
    });

    it('refuses an end earlier than 00:00 of the current day', () => {
      expect(refusal(cyclic({ ...DAILY, endTime: at('2024-03-03T12:00:00+08:00') }))).toMatch(/endTime must not be earlier than 00:00 of the current day/);
    });

    it('refuses an end before the start', () => {
      expect(refusal(cyclic({ ...DAILY, startTime: at('2024-03-06T00:00:00+08:00'), endTime: at('2024-03-05T00:00:00+08:00') }))).toMatch(
        /endTime must not be earlier than startTime/,
      );
    });

    it('accepts an end 180 days after the current day and refuses 181', () => {
      expect(planStrategy(cyclic({ ...DAILY, endTime: at('2024-08-31T00:00:00+08:00') }), OPTIONS)).toMatchObject({ endDay: '2024-08-31' });
      expect(refusal(cyclic({ ...DAILY, endTime: at('2024-09-01T00:00:00+08:00') }))).toMatch(/not be more than 180 days after the current day/);
    });

    it('refuses a cycle whose every trigger time has passed', () => {
      const today = { ...DAILY, endTime: DAILY.startTime };
      expect(planStrategy(cyclic({ ...today, time: '10:00:00' }), OPTIONS)).toMatchObject({ endDay: '2024-03-04' });
      expect(refusal(cyclic({ ...today, time: '09:59:59' }))).toMatch(/no trigger time left/);
      expect(refusal(cyclic({ ...DAILY, circleType: 2, circleValue: [7], endTime: at('2024-03-09T00:00:00+08:00') }))).toMatch(/no trigger time left/);
    });
  });
});

import { appZone, instantOf, localDayOf, dayOfIsoDate } from './app-zone';
import { nextOccurrence, occurrencesOf } from './occurrences';
import type { CyclicStrategy } from './strategy';

const at = (iso: string): number => Date.parse(iso);
const iso = (times: number[]): string[] => times.map((time) => new Date(time).toISOString());
const ALL = [0, Number.MAX_SAFE_INTEGER] as const;

function cycle(changes: Partial<CyclicStrategy>): CyclicStrategy {
  return { type: 'CYCLIC', startDay: '2024-03-04', endDay: '2024-03-06', circleType: 'DAILY', circleValue: [], time: '09:30:00', ...changes };
}

describe('occurrencesOf', () => {
  it('fires a daily cycle once a day at its time in the app zone', () => {
    expect(iso(occurrencesOf(cycle({}), '+08:00', ...ALL))).toEqual(['2024-03-04T01:30:00.000Z', '2024-03-05T01:30:00.000Z', '2024-03-06T01:30:00.000Z']);
  });

  it('runs from 00:00 of the start day to 24:00 of the end day', () => {
    expect(iso(occurrencesOf(cycle({ time: '00:00:00' }), '+08:00', ...ALL))[0]).toBe('2024-03-03T16:00:00.000Z');
    expect(iso(occurrencesOf(cycle({ time: '23:59:59' }), '+08:00', ...ALL)).at(-1)).toBe('2024-03-06T15:59:59.000Z');
    expect(occurrencesOf(cycle({ startDay: '2024-03-06', time: '23:59:59' }), '+08:00', ...ALL)).toHaveLength(1);
  });

  it('keeps the times from `from` to `until`, both included', () => {
    const [first, second, third] = occurrencesOf(cycle({}), '+08:00', ...ALL);
    expect(occurrencesOf(cycle({}), '+08:00', second, third)).toEqual([second, third]);
    expect(occurrencesOf(cycle({}), '+08:00', first + 1, third - 1)).toEqual([second]);
  });

  it('fires a weekly cycle on its weekdays, 1 being Monday and 7 Sunday', () => {
    const weekly = cycle({ startDay: '2024-03-04', endDay: '2024-03-17', circleType: 'WEEKLY', circleValue: [1, 3, 7] });
    expect(iso(occurrencesOf(weekly, 'UTC', ...ALL))).toEqual([
      '2024-03-04T09:30:00.000Z',
      '2024-03-06T09:30:00.000Z',
      '2024-03-10T09:30:00.000Z',
      '2024-03-11T09:30:00.000Z',
      '2024-03-13T09:30:00.000Z',
      '2024-03-17T09:30:00.000Z',
    ]);
  });

  it('fires a monthly cycle on its days of the month, skipping months without that day', () => {
    const monthly = cycle({ startDay: '2024-01-01', endDay: '2024-05-31', circleType: 'MONTHLY', circleValue: [30, 31] });
    expect(iso(occurrencesOf(monthly, 'UTC', ...ALL)).map((time) => time.slice(0, 10))).toEqual([
      '2024-01-30',
      '2024-01-31',
      '2024-03-30',
      '2024-03-31',
      '2024-04-30',
      '2024-05-30',
      '2024-05-31',
    ]);
  });

  it('reads the time in the zone offset', () => {
    expect(iso(occurrencesOf(cycle({ endDay: '2024-03-04' }), 'UTC-05:30', ...ALL))).toEqual(['2024-03-04T15:00:00.000Z']);
    expect(iso(occurrencesOf(cycle({ endDay: '2024-03-04' }), 'UTC+8', ...ALL))).toEqual(['2024-03-04T01:30:00.000Z']);
    expect(iso(occurrencesOf(cycle({ endDay: '2024-03-04' }), 'UTC', ...ALL))).toEqual(['2024-03-04T09:30:00.000Z']);
  });

  it('follows daylight saving time in an IANA zone', () => {
    const acrossTheChange = cycle({ startDay: '2024-03-09', endDay: '2024-03-11' });
    expect(iso(occurrencesOf(acrossTheChange, 'America/New_York', ...ALL))).toEqual(['2024-03-09T14:30:00.000Z', '2024-03-10T13:30:00.000Z', '2024-03-11T13:30:00.000Z']);
  });

  it('gives a timed strategy its fixed time when in range', () => {
    const strategy = { type: 'TIMED', fixedTime: 5000 } as const;
    expect(occurrencesOf(strategy, 'UTC', 5000, 5000)).toEqual([5000]);
    expect(occurrencesOf(strategy, 'UTC', 5001, 9000)).toEqual([]);
  });
});

describe('nextOccurrence', () => {
  it('gives the first fire time strictly after the instant', () => {
    const [first, second] = occurrencesOf(cycle({}), '+08:00', ...ALL);
    expect(nextOccurrence(cycle({}), '+08:00', first - 1)).toBe(first);
    expect(nextOccurrence(cycle({}), '+08:00', first)).toBe(second);
  });

  it('is null once the cycle or the timed push is over', () => {
    const last = occurrencesOf(cycle({}), '+08:00', ...ALL).at(-1) as number;
    expect(nextOccurrence(cycle({}), '+08:00', last)).toBeNull();
    expect(nextOccurrence({ type: 'TIMED', fixedTime: 5000 }, 'UTC', 4999)).toBe(5000);
    expect(nextOccurrence({ type: 'TIMED', fixedTime: 5000 }, 'UTC', 5000)).toBeNull();
  });
});

describe('appZone', () => {
  it('reads the offsets tenancy stores and the UTC spellings', () => {
    const instant = at('2024-03-04T00:00:00Z');
    expect(appZone('+08:00').offsetAt(instant)).toBe(8 * 3_600_000);
    expect(appZone('-05:30').offsetAt(instant)).toBe(-5.5 * 3_600_000);
    expect(appZone('UTC+8').offsetAt(instant)).toBe(8 * 3_600_000);
    expect(appZone('Z').offsetAt(instant)).toBe(0);
    expect(appZone('Asia/Shanghai').offsetAt(instant)).toBe(8 * 3_600_000);
  });

  it('refuses what is not a zone', () => {
    expect(() => appZone('+15:00')).toThrow(RangeError);
    expect(() => appZone('Mars/Olympus')).toThrow(RangeError);
  });

  it('maps local days and instants both ways', () => {
    const zone = appZone('-05:30');
    const day = dayOfIsoDate('2024-03-04');
    expect(localDayOf(zone, instantOf(zone, day, 0))).toBe(day);
    expect(localDayOf(zone, instantOf(zone, day, 0) - 1)).toBe(day - 1);
  });
});

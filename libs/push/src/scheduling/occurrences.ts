import { appZone, dayOfIsoDate, instantOf, localDayOf, MS_PER_DAY, type AppZone } from './app-zone';
import { msOfDayOf, type CyclicStrategy, type PushStrategy } from './strategy';

/**
 * The fire times (epoch ms, ascending) of a strategy with `from <= t <= until`. A cyclic strategy
 * fires at its `time` on each matching local day from `startDay` to `endDay`; a monthly day that a
 * month does not have (the 31st in April, the 30th in February) does not fire in that month.
 */
export function occurrencesOf(strategy: PushStrategy, timeZone: string, from: number, until: number): number[] {
  if (strategy.type === 'TIMED') return strategy.fixedTime >= from && strategy.fixedTime <= until ? [strategy.fixedTime] : [];
  const fireTimes: number[] = [];
  for (const fireTime of cyclicFireTimes(strategy, appZone(timeZone), from)) {
    if (fireTime > until) break;
    fireTimes.push(fireTime);
  }
  return fireTimes;
}

/** The first fire time strictly after `after`, or null when the strategy has none left. */
export function nextOccurrence(strategy: PushStrategy, timeZone: string, after: number): number | null {
  if (strategy.type === 'TIMED') return strategy.fixedTime > after ? strategy.fixedTime : null;
  for (const fireTime of cyclicFireTimes(strategy, appZone(timeZone), after + 1)) return fireTime;
  return null;
}

function* cyclicFireTimes(strategy: CyclicStrategy, zone: AppZone, from: number): Generator<number> {
  const msOfDay = msOfDayOf(strategy.time);
  const endDay = dayOfIsoDate(strategy.endDay);
  // The day before `from`'s local day too: near a daylight-saving change a fire time can fall on the neighbouring day.
  for (let day = Math.max(dayOfIsoDate(strategy.startDay), localDayOf(zone, from) - 1); day <= endDay; day += 1) {
    if (!firesOn(strategy, day)) continue;
    const fireTime = instantOf(zone, day, msOfDay);
    if (fireTime >= from) yield fireTime;
  }
}

function firesOn(strategy: CyclicStrategy, day: number): boolean {
  if (strategy.circleType === 'DAILY') return true;
  if (strategy.circleType === 'WEEKLY') return strategy.circleValue.includes(isoWeekdayOf(day));
  return strategy.circleValue.includes(new Date(day * MS_PER_DAY).getUTCDate());
}

/** 1 Monday … 7 Sunday; day 0 (1970-01-01) was a Thursday. */
function isoWeekdayOf(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

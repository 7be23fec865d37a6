import { invalidParam, type PushRuleError } from '../push-codes';
import type { StrategyRequest } from '../push-request';
import { appZone, isoDateOf, localDayOf } from './app-zone';
import { nextOccurrence } from './occurrences';

/** strategyType 1: one push at `fixedTime` (epoch ms, whole seconds). */
export type TimedStrategy = { type: 'TIMED'; fixedTime: number };

export type CircleType = 'DAILY' | 'WEEKLY' | 'MONTHLY';

/**
 * strategyType 2: a push at `time` on every matching day from 00:00 of `startDay` to 24:00 of
 * `endDay` (local dates `YYYY-MM-DD` in the app's time zone). `circleValue` is empty when daily,
 * ISO weekdays 1 (Monday) … 7 (Sunday) when weekly, days of the month 1 … 31 when monthly;
 * sorted, without repeats.
 */
export type CyclicStrategy = {
  type: 'CYCLIC';
  startDay: string;
  endDay: string;
  circleType: CircleType;
  circleValue: number[];
  time: string;
};

export type PushStrategy = TimedStrategy | CyclicStrategy;

/** mps.md §3.5: the end of a cycle may not be more than 180 days after the current day. */
export const MAX_CYCLE_DAYS_AHEAD = 180;

const CIRCLE_TYPES: Record<number, { circleType: CircleType; maxValue: number }> = {
  1: { circleType: 'DAILY', maxValue: 0 },
  2: { circleType: 'WEEKLY', maxValue: 7 },
  3: { circleType: 'MONTHLY', maxValue: 31 },
};

const TIME_OF_DAY = /^([01]\d|2[0-3]):([0-5]\d):([0-5]\d)$/;

/** Start of the current second: fixed times are accurate to the second, so the current second still counts as the future. */
export function currentSecondStart(now: number): number {
  return now - (now % 1000);
}

/** Milliseconds after local midnight of an `HH:mm:ss` time. */
export function msOfDayOf(time: string): number {
  const [hours, minutes, seconds] = time.split(':').map(Number);
  return ((hours * 60 + minutes) * 60 + seconds) * 1000;
}

export function noFutureFireTime(): PushRuleError {
  return invalidParam('StrategyContent: the cycle has no trigger time left after now');
}

/**
 * Checks the strategyType 1 / 2 rules of mps.md §3.5 at `now` in the app's `timeZone` and gives
 * the schedule; every refusal is 3028 naming the rule (DECISIONS D4). Fields that do not apply to
 * the strategy type are ignored.
 */
export function planStrategy(strategy: StrategyRequest, options: { now: number; timeZone: string }): PushStrategy {
  if (strategy.strategyType === 0) throw invalidParam('strategyType 0 pushes immediately and has no schedule');
  const content = strategy.content;
  if (content === null) throw invalidParam('StrategyContent is required when strategyType is 1 or 2');
  if (strategy.strategyType === 1) return timedStrategy(content, options.now);
  return cyclicStrategy(content, options);
}

function timedStrategy(content: Record<string, unknown>, now: number): TimedStrategy {
  const fixedTime = integerField(content, 'fixedTime', 'StrategyContent.fixedTime is required when strategyType is 1');
  const wholeSecond = currentSecondStart(fixedTime);
  if (wholeSecond < currentSecondStart(now)) throw invalidParam('StrategyContent.fixedTime must not be in the past');
  return { type: 'TIMED', fixedTime: wholeSecond };
}

function cyclicStrategy(content: Record<string, unknown>, options: { now: number; timeZone: string }): CyclicStrategy {
  const zone = appZone(options.timeZone);
  const startTime = integerField(content, 'startTime', 'StrategyContent.startTime is required when strategyType is 2');
  const endTime = integerField(content, 'endTime', 'StrategyContent.endTime is required when strategyType is 2');
  const circleTypeCode = integerField(content, 'circleType', 'StrategyContent.circleType is required when strategyType is 2');
  const circle = CIRCLE_TYPES[circleTypeCode];
  if (circle === undefined) throw invalidParam('StrategyContent.circleType must be 1 (daily), 2 (weekly) or 3 (monthly)');
  const time = content['time'];
  if (time === undefined || time === null || time === '') throw invalidParam('StrategyContent.time is required when strategyType is 2');
  if (typeof time !== 'string' || !TIME_OF_DAY.test(time)) throw invalidParam('StrategyContent.time must be HH:mm:ss');
  const circleValue = circle.circleType === 'DAILY' ? [] : circleValueOf(content['circleValue'], circle);

  const today = localDayOf(zone, options.now);
  const startDay = localDayOf(zone, startTime);
  const endDay = localDayOf(zone, endTime);
  if (startDay < today) throw invalidParam('StrategyContent.startTime must not be earlier than 00:00 of the current day');
  if (endDay < today) throw invalidParam('StrategyContent.endTime must not be earlier than 00:00 of the current day');
  if (endDay < startDay) throw invalidParam('StrategyContent.endTime must not be earlier than startTime');
  if (endDay > today + MAX_CYCLE_DAYS_AHEAD) throw invalidParam(`StrategyContent.endTime must not be more than ${MAX_CYCLE_DAYS_AHEAD} days after the current day`);

  const planned: CyclicStrategy = { type: 'CYCLIC', startDay: isoDateOf(startDay), endDay: isoDateOf(endDay), circleType: circle.circleType, circleValue, time };
  if (nextOccurrence(planned, options.timeZone, currentSecondStart(options.now) - 1) === null) throw noFutureFireTime();
  return planned;
}

function circleValueOf(value: unknown, circle: { circleType: CircleType; maxValue: number }): number[] {
  const rule = circle.circleType === 'WEEKLY' ? '1 (Monday) to 7 (Sunday)' : '1 to 31';
  if (!Array.isArray(value) || value.length === 0) throw invalidParam('StrategyContent.circleValue is required when circleType is weekly or monthly');
  const days = value.map((item: unknown) => (typeof item === 'string' && /^\d+$/.test(item) ? Number(item) : item));
  if (!days.every((day): day is number => Number.isInteger(day) && (day as number) >= 1 && (day as number) <= circle.maxValue)) {
    throw invalidParam(`StrategyContent.circleValue must hold days ${rule}`);
  }
  return [...new Set(days)].sort((a, b) => a - b);
}

/** A long given as a JSON number or a string of digits; absent, null or '' is `missing`. */
function integerField(content: Record<string, unknown>, field: string, missing: string): number {
  const value = content[field];
  if (value === undefined || value === null || value === '') throw invalidParam(missing);
  const number = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isSafeInteger(number)) throw invalidParam(`StrategyContent.${field} must be an integer`);
  return number;
}

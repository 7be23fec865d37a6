import { PushRuleError, type PushResultCode } from '../push-codes';

/** mps.md §3.9 item 1: keys the server sets in the payload itself; a request may not use them. */
export const RESERVED_EXT_PARAM_KEYS: readonly string[] = ['notifyType', 'action', 'silent', 'pushType', 'templateCode', 'channel', 'taskId'];

/** DECISIONS D4: at most 20 extension parameters per message (3035), 10 per multiple-push target (3049). */
export const MAX_EXT_PARAMS = 20;
export const MAX_TARGET_EXT_PARAMS = 10;

export interface ExtParamsLimit {
  max: number;
  code: PushResultCode;
}

export const TASK_EXT_PARAMS: ExtParamsLimit = { max: MAX_EXT_PARAMS, code: 'EXTEND_PARAM_TO_MUCH' };
export const TARGET_EXT_PARAMS: ExtParamsLimit = { max: MAX_TARGET_EXT_PARAMS, code: 'MULTIPLE_INNER_EXTEND_PARAM_TO_MUCH' };

const NON_NEGATIVE_INTEGER = /^\d+$/;
const INTEGER = /^[+-]?\d+$/;

/**
 * Checks an `extendedParams` map (mps.md §3.9) and returns it with every value as a string.
 * Order: the count (3035 / 3049), then each key in the order given — empty key, reserved key,
 * a value that is not a string, number or boolean, the values of the significant keys (3044;
 * `badge_add_num` 3058) — and last `badge_add_num` without `badge_class` (3059).
 */
export function checkExtendedParams(label: string, given: Record<string, unknown> | undefined, limit: ExtParamsLimit): Record<string, string> {
  if (given === undefined) return {};
  const entries = Object.entries(given);
  if (entries.length > limit.max) throw new PushRuleError(limit.code, `${label}: at most ${limit.max} extension parameters, ${entries.length} given`);
  const params = Object.fromEntries(entries.map(([key, value]) => [key, checkedValue(label, key, value)]));
  if (params.badge_add_num !== undefined && (params.badge_class ?? '').trim() === '') {
    throw new PushRuleError('BADGE_ADD_NUM_NEED_BADGE_CLASS', `${label}.badge_add_num: requires badge_class`);
  }
  return params;
}

function checkedValue(label: string, key: string, value: unknown): string {
  if (key.trim() === '') throw invalidExtendParam(`${label}: an extension parameter has an empty key`);
  const name = `${label}.${key}`;
  if (RESERVED_EXT_PARAM_KEYS.includes(key)) throw invalidExtendParam(`${name}: ${key} is a system extension parameter and cannot be set`);
  if (typeof value !== 'string' && typeof value !== 'boolean' && !(typeof value === 'number' && Number.isFinite(value))) {
    throw invalidExtendParam(`${name}: the value must be a string, number or boolean`);
  }
  const text = String(value);
  switch (key) {
    case 'badge':
      if (!NON_NEGATIVE_INTEGER.test(text)) throw invalidExtendParam(`${name}: must be a non-negative integer`);
      break;
    case 'big_text':
    case 'mutable-content':
      if (text !== '1') throw invalidExtendParam(`${name}: the only value is "1"`);
      break;
    case 'badge_add_num':
      if (!INTEGER.test(text)) throw new PushRuleError('BADGE_ADD_NUM_INVALID', `${name}: must be an integer`);
      break;
  }
  return text;
}

function invalidExtendParam(message: string): PushRuleError {
  return new PushRuleError('INVALID_EXTEND_PARAM', message);
}

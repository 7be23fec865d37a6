/** What the tenant's validation interface said about a session (mss.md §4.2). */
export interface ValidationVerdict {
  valid: boolean;
  /** Why, in words an operator can act on: "valid", or what was wrong with the answer. */
  reason: string;
}

type JsonObject = Record<string, unknown>;

/**
 * Reads the tenant's answer leniently, as tenants implement it from either spec edition: the
 * EN form, the CN form wrapped in `{"response": {...}}`, booleans as strings, `returnCode`
 * for `resultCode`, and `result` as an object or a JSON string. Valid needs success, code
 * `OK` and `result.valid`.
 */
export function parseValidationResponse(text: string): ValidationVerdict {
  if (text.trim() === '') return invalid('the response is empty');
  const parsed = parseJson(text);
  if (parsed === undefined) return invalid('the response is not JSON');
  if (!isObject(parsed)) return invalid('the response is not a JSON object');
  const answer = isObject(parsed.response) ? parsed.response : parsed;

  const success = answer.success;
  if (success === undefined) return invalid('success is missing');
  if (!isTrue(success)) return invalid(`success is ${JSON.stringify(success)}${messageOf(answer)}`);

  const code = answer.resultCode ?? answer.returnCode;
  if (code === undefined) return invalid('resultCode is missing');
  if (typeof code !== 'string' || code.trim().toUpperCase() !== 'OK') return invalid(`resultCode is ${JSON.stringify(code)}${messageOf(answer)}`);

  const result = typeof answer.result === 'string' ? parseJson(answer.result) : answer.result;
  if (answer.result === undefined || answer.result === null) return invalid('result is missing');
  if (!isObject(result)) return invalid('result is not an object or a JSON object string');
  if (result.valid === undefined) return invalid('result.valid is missing');
  if (isTrue(result.valid)) return { valid: true, reason: 'valid' };
  return invalid(isFalse(result.valid) ? 'the tenant answered result.valid = false' : `result.valid is ${JSON.stringify(result.valid)}`);
}

function invalid(reason: string): ValidationVerdict {
  return { valid: false, reason };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isTrue(value: unknown): boolean {
  return value === true || (typeof value === 'string' && value.trim().toLowerCase() === 'true');
}

function isFalse(value: unknown): boolean {
  return value === false || (typeof value === 'string' && value.trim().toLowerCase() === 'false');
}

function messageOf(answer: JsonObject): string {
  return typeof answer.resultMsg === 'string' && answer.resultMsg !== '' ? ` (${answer.resultMsg})` : '';
}

import type { PlatformSigner } from '@pushsync/tenancy';
import { parseValidationResponse } from './validation-response';

export const VALIDATE_OPERATION_TYPE = 'com.antcloud.session.validate';
export const VALIDATION_TIMEOUT_MS = 3000;

export type ConsistencyOutcome = 'valid' | 'invalid' | 'error';

/**
 * `invalid` is the tenant's answer; `error` means no usable answer (no URL configured, network,
 * timeout, non-2xx). Both withhold consistency-gated data, but only errors are retried on connect.
 */
export interface ValidationResult {
  outcome: ConsistencyOutcome;
  reason: string;
}

/** The app as the validator needs it. */
export interface ValidationTarget {
  instanceId: string;
  validationUrl: string;
  signer: PlatformSigner;
}

export type ValidationFetch = typeof fetch;

/** Calls the tenant's user consistency validation interface (mss.md §4.2, DECISIONS D3). */
export class ConsistencyValidator {
  private readonly fetch: ValidationFetch;
  private readonly timeoutMs: number;

  public constructor(options: { fetch?: ValidationFetch; timeoutMs?: number } = {}) {
    this.fetch = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? VALIDATION_TIMEOUT_MS;
  }

  public async validate(target: ValidationTarget, userId: string, sessionId: string): Promise<ValidationResult> {
    const body = JSON.stringify({ operationType: VALIDATE_OPERATION_TYPE, instanceId: target.instanceId, userId, sessionId });
    const url = withSignQuery(target.validationUrl, target.signer.sign(body));
    let status: number;
    let text: string;
    try {
      // A redirect would turn the POST into a GET on most servers: it counts as a non-2xx answer.
      const response = await this.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, redirect: 'manual', signal: AbortSignal.timeout(this.timeoutMs) });
      status = response.status;
      text = await response.text();
    } catch (error) {
      return { outcome: 'error', reason: failureReason(error, this.timeoutMs) };
    }
    if (status < 200 || status > 299) return { outcome: 'error', reason: `the validation URL answered HTTP ${status}` };
    const verdict = parseValidationResponse(text);
    return { outcome: verdict.valid ? 'valid' : 'invalid', reason: verdict.reason };
  }
}

/** Appends `sign` without re-encoding the tenant's own query; base64url needs no escaping. */
export function withSignQuery(validationUrl: string, signature: string): string {
  const hashAt = validationUrl.indexOf('#');
  const base = hashAt === -1 ? validationUrl : validationUrl.slice(0, hashAt);
  const separator = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return `${base}${separator}sign=${signature}`;
}

function failureReason(error: unknown, timeoutMs: number): string {
  const failure = errorShape(error);
  if (failure.name === 'TimeoutError' || failure.name === 'AbortError') return `the validation URL did not answer within ${timeoutMs} ms`;
  const cause = errorShape(failure.cause);
  return `the validation call failed: ${failure.message}${cause.message ? `: ${cause.message}` : ''}`;
}

/** fetch rejects with errors of another realm under some runners, so `instanceof Error` is unreliable. */
function errorShape(error: unknown): { name?: string; message: string; cause?: unknown } {
  if (typeof error !== 'object' || error === null) return { message: error === undefined ? '' : String(error) };
  const { name, message, cause } = error as { name?: unknown; message?: unknown; cause?: unknown };
  return { name: typeof name === 'string' ? name : undefined, message: typeof message === 'string' ? message : String(error), cause };
}

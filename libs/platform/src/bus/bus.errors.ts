import { PlatformError } from '../errors/platform.error';

export class BusNoResponderError extends PlatformError {
  public constructor(public readonly subject: string) {
    super(`no responder on ${subject}`);
  }
}

export class BusTimeoutError extends PlatformError {
  public constructor(public readonly subject: string, timeoutMs: number) {
    super(`request on ${subject} timed out after ${timeoutMs} ms`);
  }
}

export class BusRequestError extends PlatformError {
  public constructor(public readonly subject: string, reason: string) {
    super(`request on ${subject} failed: ${reason}`);
  }
}

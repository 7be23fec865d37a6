import { ValidationError } from '@pushsync/platform';

/** `thirdMsgId` is missing or blank (mss.md §3.4; the CN face spells it THIRDMSGID_IS_NULL). */
export class ThirdMsgIdIsNullError extends ValidationError {
  public constructor() {
    super('thirdMsgId is required', 'THIRD_MSG_ID_IS_NULL');
  }
}

/** Both `payload` and `binaryPayload` are set (DECISIONS D3). */
export class PayloadConflictError extends ValidationError {
  public constructor() {
    super('payload and binaryPayload exclude each other: send exactly one', 'PAYLOAD_CONFLICT');
  }
}

export class PayloadLongError extends ValidationError {
  public constructor(field: 'payload' | 'binaryPayload', length: number, limit: number) {
    super(`${field} has ${length} characters; at most ${limit} are allowed`, 'PAYLOAD_LONG');
  }
}

export class ThirdMsgIdLongError extends ValidationError {
  public constructor(bytes: number, limit: number) {
    super(`thirdMsgId has ${bytes} UTF-8 bytes; at most ${limit} are allowed`, 'THIRD_MSG_ID_LONG');
  }
}

/** A validity window that is not epoch milliseconds, inverted, over or too far ahead. */
export class InvalidValidTimeError extends ValidationError {
  public constructor(message: string) {
    super(message, 'INVALID_VALID_TIME');
  }
}

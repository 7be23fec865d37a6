/**
 * Why a frame was refused:
 * - MALFORMED_FRAME: the bytes are not a well-formed comet.v1.Frame (truncated, bad wire data, a zero-length frame, ...);
 * - EMPTY_FRAME: a well-formed frame whose `body` is not set (or set only to a member this side does not know);
 * - FRAME_TOO_LARGE: a frame (or a length header announcing one) exceeds the maximum frame size;
 * - INVALID_FRAME: a frame given to the encoder holds a value the wire cannot carry as given.
 */
export type ProtocolErrorCode = 'MALFORMED_FRAME' | 'EMPTY_FRAME' | 'FRAME_TOO_LARGE' | 'INVALID_FRAME';

/** The only error the codec and the frame reader throw. A peer that sends a refused frame should be disconnected. */
export class ProtocolError extends Error {
  public constructor(
    public readonly code: ProtocolErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
    this.name = 'ProtocolError';
  }
}

export function isProtocolError(error: unknown): error is ProtocolError {
  return error instanceof ProtocolError;
}

/**
 * Why an operation of the SDK failed, or what went wrong on the connection (the `error` event):
 * - NOT_INITIALIZED: a method was called before initialize();
 * - INVALID_ARGUMENT: an argument or option is not acceptable;
 * - NOT_CONNECTED: an RPC was called while the client is in the background;
 * - RPC_TIMEOUT: no RpcResult arrived within the RPC timeout (the server may still have applied it);
 * - CONNECTION_LOST: the connection ended while an RPC waited for its result;
 * - HANDSHAKE_TIMEOUT, PONG_TIMEOUT: the server did not answer in time; the client reconnects;
 * - TRANSPORT_UNAVAILABLE: no transport can reach the endpoint (e.g. tcp:// without TcpTransport);
 * - TRANSPORT_ERROR: the transport failed (refused, reset, TLS error, ...); the client reconnects;
 * - PROTOCOL_ERROR: the server sent bytes that are not a comet.v1 frame; the client reconnects;
 * - SERVER_ERROR: the server sent an Error frame (`serverCode` holds its code);
 * - STORAGE_ERROR: the persistence failed to load or save;
 * - CALLBACK_ERROR: an application callback threw.
 */
export type PushSyncErrorCode =
  | 'NOT_INITIALIZED'
  | 'INVALID_ARGUMENT'
  | 'NOT_CONNECTED'
  | 'RPC_TIMEOUT'
  | 'CONNECTION_LOST'
  | 'HANDSHAKE_TIMEOUT'
  | 'PONG_TIMEOUT'
  | 'TRANSPORT_UNAVAILABLE'
  | 'TRANSPORT_ERROR'
  | 'PROTOCOL_ERROR'
  | 'SERVER_ERROR'
  | 'STORAGE_ERROR'
  | 'CALLBACK_ERROR';

export class PushSyncError extends Error {
  public constructor(
    public readonly code: PushSyncErrorCode,
    message: string,
    options?: { cause?: unknown; serverCode?: string },
  ) {
    super(`${code}: ${message}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PushSyncError';
    this.serverCode = options?.serverCode;
  }

  /** The code of the server's Error frame, for SERVER_ERROR. */
  public readonly serverCode: string | undefined;
}

export function isPushSyncError(error: unknown): error is PushSyncError {
  return error instanceof PushSyncError;
}

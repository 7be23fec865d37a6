import { DomainError, type ErrorKind } from '../errors/domain.error';

/**
 * A call through a service link failed. A DomainError raised by the callee arrives as this, with
 * its code, kind and numeric code intact, so the caller's transport maps it like a local one;
 * transport failures arrive as `UNAVAILABLE` (kind unavailable) or `INTERNAL` (kind internal).
 */
export class RemoteCallError extends DomainError {
  public constructor(
    public readonly service: string,
    public readonly method: string,
    code: string,
    kind: ErrorKind,
    message: string,
    numericCode?: number,
  ) {
    super(code, kind, message, numericCode);
  }

  public static unavailable(service: string, method: string, reason: string): RemoteCallError {
    return new RemoteCallError(service, method, 'UNAVAILABLE', 'unavailable', `${service}/${method}: ${reason}`);
  }

  public static internal(service: string, method: string, reason: string): RemoteCallError {
    return new RemoteCallError(service, method, 'INTERNAL', 'internal', `${service}/${method}: ${reason}`);
  }

  /** What the callee raised, as the caller sees it. */
  public static from(service: string, method: string, error: unknown): RemoteCallError {
    if (error instanceof DomainError) return new RemoteCallError(service, method, error.code, error.kind, error.message, error.numericCode);
    return RemoteCallError.internal(service, method, error instanceof Error ? error.message : String(error));
  }
}

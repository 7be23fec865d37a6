import { PlatformError } from '../errors/platform.error';

/**
 * A call through a service link failed. `code` is the domain error code the callee raised
 * (carried across gRPC in metadata) or `UNAVAILABLE` / `INTERNAL` for transport failures.
 */
export class RemoteCallError extends PlatformError {
  public constructor(
    public readonly service: string,
    public readonly method: string,
    public readonly code: string,
    message: string,
  ) {
    super(`${service}/${method}: ${code}: ${message}`);
  }
}

/** Raise from a service implementation to send a domain error code to the caller. */
export class ServiceError extends PlatformError {
  public constructor(public readonly code: string, message: string) {
    super(message);
  }
}

/** Base of every error raised by an infrastructure adapter. */
export class PlatformError extends Error {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A unique index (or the primary key) refused a write. */
export class DuplicateKeyError extends PlatformError {
  public constructor(
    public readonly collection: string,
    public readonly index: string,
    options?: { cause?: unknown },
  ) {
    super(`duplicate key in ${collection} (${index})`, options);
  }
}

/** A dependency (store, stream, bus) did not answer; the caller should answer 503 / SYSTEM_ERROR. */
export class DependencyUnavailableError extends PlatformError {
  public constructor(
    public readonly dependency: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${dependency} unavailable: ${reason}`, options);
  }
}

export function isDependencyUnavailable(error: unknown): error is DependencyUnavailableError {
  return error instanceof DependencyUnavailableError;
}

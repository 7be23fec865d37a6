import { DomainError, ValidationError } from '@pushsync/platform';

/** A required field is missing or empty (MSS `ARGS_IS_NULL`). */
export class ArgsIsNullError extends ValidationError {
  public constructor(field: string) {
    super(`${field} is required`, 'ARGS_IS_NULL');
  }
}

/** A field breaks a format rule or a dependency between fields (MSS `ARGS_INVALID`). */
export class ArgsInvalidError extends ValidationError {
  public constructor(message: string) {
    super(message, 'ARGS_INVALID');
  }
}

export class ConfigExistsError extends DomainError {
  public constructor(instanceId: string, bizType: string) {
    super('CONFIG_EXISTS', 'conflict', `app ${instanceId} already has a sync configuration ${bizType}`);
  }
}

export class ConfigNotFoundError extends DomainError {
  public constructor(instanceId: string, bizType: string) {
    super('CONFIG_NOT_FOUND', 'not-found', `app ${instanceId} has no sync configuration ${bizType}`);
  }
}

/** Delete needs an offline configuration (mss.md §10.8 #46). */
export class ConfigOnlineError extends DomainError {
  public constructor(bizType: string) {
    super('CONFIG_ONLINE', 'conflict', `sync configuration ${bizType} is online: take it offline before deleting it`);
  }
}

/** Identifier, range, object, multi-device and persistence never change (DECISIONS D3). */
export class ConfigFieldImmutableError extends DomainError {
  public constructor(
    public readonly field: string,
    bizType: string,
  ) {
    super('CONFIG_FIELD_IMMUTABLE', 'validation', `${field} of sync configuration ${bizType} cannot be changed; create a new configuration instead`);
  }
}

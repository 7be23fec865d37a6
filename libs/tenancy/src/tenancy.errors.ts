import { DomainError, NotFoundError } from '@pushsync/platform';

export class AppNotFoundError extends NotFoundError {
  public constructor(instanceId: string) {
    super(`app ${instanceId}`, 'APP_NOT_FOUND');
  }
}

export class AppExistsError extends DomainError {
  public constructor(instanceId: string) {
    super('APP_EXISTS', 'conflict', `app ${instanceId} already exists`);
  }
}

export class AdminAuthenticationError extends DomainError {
  public constructor(reason: string) {
    super('ADMIN_UNAUTHORIZED', 'authentication', reason);
  }
}

export class OperatorForbiddenError extends DomainError {
  public constructor(reason: string) {
    super('FORBIDDEN', 'forbidden', reason);
  }
}

import { Inject, Injectable } from '@nestjs/common';
import type { PlatformLogger } from '@pushsync/platform';
import { CLOCK, LOGGER, type Clock } from '@pushsync/runtime';
import { OperatorAuthentication, TenantAdministration } from '@pushsync/tenancy';
import { TenancyRepositories } from '../shared/tenancy-repositories';

/** The tenancy use cases, built over the repositories once they are open. */
@Injectable()
export class TenancyServices {
  public constructor(
    private readonly repositories: TenancyRepositories,
    @Inject(LOGGER) private readonly logger: PlatformLogger,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  public get administration(): TenantAdministration {
    const { apps, accessKeys, adminKeys, operations } = this.repositories.repositories;
    return new TenantAdministration(apps, accessKeys, adminKeys, operations, () => this.clock.now());
  }

  public get operatorAuthentication(): OperatorAuthentication {
    return new OperatorAuthentication(this.repositories.repositories.adminKeys, this.logger);
  }

  public get operations() {
    return this.repositories.repositories.operations;
  }

  public get apps() {
    return this.repositories.repositories.apps;
  }

  public get accessKeys() {
    return this.repositories.repositories.accessKeys;
  }
}

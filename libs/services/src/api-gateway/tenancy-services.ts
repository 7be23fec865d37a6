import { Inject, Injectable } from '@nestjs/common';
import type { PlatformLogger } from '@pushsync/platform';
import { CLOCK, LOGGER, type Clock } from '@pushsync/runtime';
import { OperatorAuthentication, PlatformKeys, TenantAdministration } from '@pushsync/tenancy';
import { TenancyRepositories } from '../shared/tenancy-repositories';
import { TenantCredentials } from './tenant/tenant-credentials';

/** The tenancy use cases, built over the repositories once they are open. */
@Injectable()
export class TenancyServices {
  private sharedPlatformKeys: PlatformKeys | undefined;

  public constructor(
    private readonly repositories: TenancyRepositories,
    private readonly credentials: TenantCredentials,
    @Inject(LOGGER) private readonly logger: PlatformLogger,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  public get administration(): TenantAdministration {
    const { apps, accessKeys, adminKeys, operations } = this.repositories.repositories;
    return new TenantAdministration(apps, accessKeys, adminKeys, operations, this.platformKeys, () => this.clock.now(), (instanceId) => this.credentials.appChanged(instanceId));
  }

  /** One instance, so concurrent first uses in this process share one key generation. */
  public get platformKeys(): PlatformKeys {
    this.sharedPlatformKeys ??= new PlatformKeys(this.repositories.repositories.apps, () => this.clock.now());
    return this.sharedPlatformKeys;
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

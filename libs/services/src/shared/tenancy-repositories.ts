import { Inject, Injectable } from '@nestjs/common';
import { APP_CACHE_TTL_MS, CachedAppDirectory } from '@pushsync/comet';
import type { Store } from '@pushsync/platform';
import { Lifecycle, STORE } from '@pushsync/runtime';
import { AccessKeyRepository, AdminKeyRepository, OperationRecordRepository, TenantAppRepository, type TenantApp } from '@pushsync/tenancy';
import { DependencyUnavailableError } from '@pushsync/platform';

interface Opened {
  apps: TenantAppRepository;
  accessKeys: AccessKeyRepository;
  adminKeys: AdminKeyRepository;
  operations: OperationRecordRepository;
}

/** Opens the tenancy collections once the store answers; before that, users get a 503 naming why. */
@Injectable()
export class TenancyRepositories {
  private opened: Opened | undefined;

  public constructor(@Inject(STORE) store: Store, lifecycle: Lifecycle) {
    lifecycle.register({
      name: 'tenancy collections',
      start: async () => {
        const [apps, accessKeys, adminKeys, operations] = await Promise.all([
          TenantAppRepository.open(store),
          AccessKeyRepository.open(store),
          AdminKeyRepository.open(store),
          OperationRecordRepository.open(store),
        ]);
        this.opened = { apps, accessKeys, adminKeys, operations };
      },
    });
  }

  public get repositories(): Opened {
    if (!this.opened) throw new DependencyUnavailableError('store', 'the tenancy collections are not open yet (service starting)');
    return this.opened;
  }

  /** The tenant apps with each answer used for APP_CACHE_TTL_MS: how request paths read an app. */
  public cachedApps(now: () => number = Date.now): CachedAppDirectory<TenantApp> {
    return new CachedAppDirectory<TenantApp>({ find: (workspaceId, appId) => this.repositories.apps.find(workspaceId, appId) }, APP_CACHE_TTL_MS, now);
  }
}

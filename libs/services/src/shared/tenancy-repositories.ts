import { Inject, Injectable } from '@nestjs/common';
import type { Store } from '@pushsync/platform';
import { Lifecycle, STORE } from '@pushsync/runtime';
import { AccessKeyRepository, AdminKeyRepository, OperationRecordRepository, TenantAppRepository } from '@pushsync/tenancy';
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
}

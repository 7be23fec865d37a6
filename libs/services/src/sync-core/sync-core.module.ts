import { Inject, Injectable, Module } from '@nestjs/common';
import type { ServiceLinks } from '@pushsync/platform';
import { SYNC_CORE } from '@pushsync/contracts';
import { Lifecycle, SERVICE_INFO, SERVICE_LINKS, type ServiceInfo } from '@pushsync/runtime';
import { coreStatus } from '../shared/core-status';
import { TenancyRepositories } from '../shared/tenancy-repositories';
import { TenancyModule } from '../shared/tenancy.module';

/** Serves the SyncCore link; the Mobile Sync domain joins it in the sync issue. */
@Injectable()
class SyncCoreLink {
  public constructor(@Inject(SERVICE_LINKS) links: ServiceLinks, @Inject(SERVICE_INFO) info: ServiceInfo, tenancy: TenancyRepositories, lifecycle: Lifecycle) {
    lifecycle.register({ name: 'sync-core link', start: () => links.serve(SYNC_CORE, coreStatus('sync-core', info, tenancy)) });
  }
}

@Module({ imports: [TenancyModule], providers: [SyncCoreLink] })
export class SyncCoreModule {}

import { Inject, Injectable, Module } from '@nestjs/common';
import type { ServiceLinks } from '@pushsync/platform';
import { PUSH_CORE } from '@pushsync/contracts';
import { Lifecycle, SERVICE_INFO, SERVICE_LINKS, type ServiceInfo } from '@pushsync/runtime';
import { coreStatus } from '../shared/core-status';
import { TenancyRepositories } from '../shared/tenancy-repositories';
import { TenancyModule } from '../shared/tenancy.module';

/** Serves the PushCore link; the Message Push domain joins it in the push issue. */
@Injectable()
class PushCoreLink {
  public constructor(@Inject(SERVICE_LINKS) links: ServiceLinks, @Inject(SERVICE_INFO) info: ServiceInfo, tenancy: TenancyRepositories, lifecycle: Lifecycle) {
    lifecycle.register({ name: 'push-core link', start: () => links.serve(PUSH_CORE, coreStatus('push-core', info, tenancy)) });
  }
}

@Module({ imports: [TenancyModule], providers: [PushCoreLink] })
export class PushCoreModule {}

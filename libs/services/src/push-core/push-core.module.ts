import { Inject, Injectable, Module } from '@nestjs/common';
import { DependencyUnavailableError, type ServiceLinks, type Store } from '@pushsync/platform';
import { PUSH_CORE } from '@pushsync/contracts';
import { Lifecycle, SERVICE_INFO, SERVICE_LINKS, STORE, type ServiceInfo } from '@pushsync/runtime';
import { TemplateRepository, Templates } from '@pushsync/templates';
import { coreStatus } from '../shared/core-status';
import { TenancyRepositories } from '../shared/tenancy-repositories';
import { TenancyModule } from '../shared/tenancy.module';
import { templateRpcs } from './templates-service';

/** Serves the PushCore link: status and the message templates; the rest of Message Push joins it in the push issue. */
@Injectable()
class PushCoreLink {
  private templates: Templates | undefined;

  public constructor(@Inject(SERVICE_LINKS) links: ServiceLinks, @Inject(SERVICE_INFO) info: ServiceInfo, @Inject(STORE) store: Store, tenancy: TenancyRepositories, lifecycle: Lifecycle) {
    lifecycle.register({
      name: 'push-core link',
      start: async () => {
        this.templates = new Templates(await TemplateRepository.open(store));
        await links.serve(PUSH_CORE, { ...coreStatus('push-core', info, tenancy), ...templateRpcs(() => this.opened()) });
      },
    });
  }

  private opened(): Templates {
    if (!this.templates) throw new DependencyUnavailableError('store', 'the templates collection is not open yet (service starting)');
    return this.templates;
  }
}

@Module({ imports: [TenancyModule], providers: [PushCoreLink] })
export class PushCoreModule {}

import { Inject, Injectable, Module } from '@nestjs/common';
import { DependencyUnavailableError, type ServiceLinks, type Store } from '@pushsync/platform';
import { PUSH_CORE } from '@pushsync/contracts';
import { Lifecycle, SERVICE_INFO, SERVICE_LINKS, STORE, type ServiceInfo } from '@pushsync/runtime';
import { DeviceRepository, Devices } from '@pushsync/devices';
import { TemplateRepository, Templates } from '@pushsync/templates';
import { coreStatus } from '../shared/core-status';
import { TenancyRepositories } from '../shared/tenancy-repositories';
import { TenancyModule } from '../shared/tenancy.module';
import { deviceRpcs } from './devices-service';
import { templateRpcs } from './templates-service';

/** Serves the PushCore link: status, the message templates and the connectionless device RPCs; the rest of Message Push joins it in the push issue. */
@Injectable()
class PushCoreLink {
  private templates: Templates | undefined;
  private devices: Devices | undefined;

  public constructor(@Inject(SERVICE_LINKS) links: ServiceLinks, @Inject(SERVICE_INFO) info: ServiceInfo, @Inject(STORE) store: Store, tenancy: TenancyRepositories, lifecycle: Lifecycle) {
    lifecycle.register({
      name: 'push-core link',
      start: async () => {
        this.templates = new Templates(await TemplateRepository.open(store));
        this.devices = new Devices(await DeviceRepository.open(store));
        await links.serve(PUSH_CORE, { ...coreStatus('push-core', info, tenancy), ...templateRpcs(() => this.opened()), ...deviceRpcs(() => this.openedDevices()) });
      },
    });
  }

  private opened(): Templates {
    if (!this.templates) throw new DependencyUnavailableError('store', 'the templates collection is not open yet (service starting)');
    return this.templates;
  }

  private openedDevices(): Devices {
    if (!this.devices) throw new DependencyUnavailableError('store', 'the devices collection is not open yet (service starting)');
    return this.devices;
  }
}

@Module({ imports: [TenancyModule], providers: [PushCoreLink] })
export class PushCoreModule {}

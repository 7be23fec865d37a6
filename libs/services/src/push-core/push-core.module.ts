import { Inject, Injectable, Module, type DynamicModule } from '@nestjs/common';
import { DependencyUnavailableError, type ServiceLinks, type Store } from '@pushsync/platform';
import { PUSH_CORE } from '@pushsync/contracts';
import { Lifecycle, SERVICE_INFO, SERVICE_LINKS, STORE, type ServiceInfo } from '@pushsync/runtime';
import { DeviceRepository, Devices } from '@pushsync/devices';
import { TemplateRepository, Templates } from '@pushsync/templates';
import { coreStatus } from '../shared/core-status';
import type { PushEngineEnv } from '../shared/envs';
import { TenancyRepositories } from '../shared/tenancy-repositories';
import { TenancyModule } from '../shared/tenancy.module';
import { deviceRpcs } from './devices-service';
import { pushApiMethods } from './push-api-link';
import { PUSH_ENGINE_ENV, PushEngine } from './push-engine';
import { templateRpcs } from './templates-service';

/** Serves the PushCore link: status, the message templates, the connectionless device RPCs and the push APIs. */
@Injectable()
class PushCoreLink {
  private templates: Templates | undefined;
  private devices: Devices | undefined;

  public constructor(@Inject(SERVICE_LINKS) links: ServiceLinks, @Inject(SERVICE_INFO) info: ServiceInfo, @Inject(STORE) store: Store, tenancy: TenancyRepositories, engine: PushEngine, lifecycle: Lifecycle) {
    lifecycle.register({
      name: 'push-core link',
      start: async () => {
        this.templates = new Templates(await TemplateRepository.open(store));
        this.devices = new Devices(await DeviceRepository.open(store));
        await links.serve(PUSH_CORE, {
          ...coreStatus('push-core', info, tenancy),
          ...templateRpcs(() => this.opened()),
          ...deviceRpcs(() => this.openedDevices(), (device) => engine.bound(device)),
          ...pushApiMethods(() => engine.parts, tenancy.cachedApps()),
        });
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

@Module({})
export class PushCoreModule {
  public static forRoot(env: PushEngineEnv): DynamicModule {
    return { module: PushCoreModule, imports: [TenancyModule], providers: [{ provide: PUSH_ENGINE_ENV, useValue: env }, PushEngine, PushCoreLink], exports: [PushEngine] };
  }
}

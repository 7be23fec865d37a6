import { Inject, Injectable, Module, type DynamicModule } from '@nestjs/common';
import { DependencyUnavailableError, type ServiceLinks, type Store } from '@pushsync/platform';
import { SYNC_CORE } from '@pushsync/contracts';
import { CLOCK, Lifecycle, SERVICE_INFO, SERVICE_LINKS, STORE, type Clock, type ServiceInfo } from '@pushsync/runtime';
import { SyncConfigRepository, SyncConfigs, SyncPointRepository, SyncStatusQuery } from '@pushsync/sync';
import { coreStatus } from '../shared/core-status';
import { TenancyRepositories } from '../shared/tenancy-repositories';
import { TenancyModule } from '../shared/tenancy.module';
import type { SyncEngineEnv } from '../shared/envs';
import { syncConfigMethods } from './sync-config-link';
import { syncDataMethods } from './sync-data-link';
import { syncStatusMethods } from './sync-status-link';
import { SYNC_ENGINE_ENV, SyncEngine } from './sync-engine';

/** Serves the SyncCore link: status, the sync configurations and the data APIs. */
@Injectable()
class SyncCoreLink {
  private configRepository: SyncConfigRepository | undefined;
  private statusQuery: SyncStatusQuery | undefined;

  public constructor(
    @Inject(SERVICE_LINKS) links: ServiceLinks,
    @Inject(SERVICE_INFO) info: ServiceInfo,
    @Inject(STORE) store: Store,
    @Inject(CLOCK) clock: Clock,
    tenancy: TenancyRepositories,
    engine: SyncEngine,
    lifecycle: Lifecycle,
  ) {
    const configs = () => {
      if (!this.configRepository) throw new DependencyUnavailableError('store', 'the sync configuration collection is not open yet (service starting)');
      const { apps, operations } = tenancy.repositories;
      return new SyncConfigs(this.configRepository, apps, operations, () => clock.now());
    };
    const configMethods = syncConfigMethods(configs);
    const thenForget =
      <R extends { appId: string; workspaceId: string }, A>(method: (request: R) => Promise<A>) =>
      async (request: R): Promise<A> => {
        const reply = await method(request);
        await engine.configsChanged(request);
        return reply;
      };
    const deleteAndPurge: typeof configMethods.DeleteSyncConfig = async (request) => {
      const reply = await thenForget(configMethods.DeleteSyncConfig)(request);
      engine.purgeBizType(request, request.bizType);
      return reply;
    };
    lifecycle.register({
      name: 'sync-core link',
      start: async () => {
        this.configRepository = await SyncConfigRepository.open(store);
        const { deliveries, oplogs, presence } = engine.parts;
        this.statusQuery = new SyncStatusQuery(deliveries, oplogs, await SyncPointRepository.open(store), presence, clock);
        await links.serve(SYNC_CORE, {
          ...coreStatus('sync-core', info, tenancy),
          ...configMethods,
          CreateSyncConfig: thenForget(configMethods.CreateSyncConfig),
          EditSyncConfig: thenForget(configMethods.EditSyncConfig),
          SetSyncConfigStatus: thenForget(configMethods.SetSyncConfigStatus),
          DeleteSyncConfig: deleteAndPurge,
          ...syncDataMethods(() => engine.intake, tenancy.cachedApps()),
          ...syncStatusMethods(() => this.statusQuery!, () => this.configRepository!, () => tenancy.repositories.apps),
        });
      },
    });
  }
}

@Module({})
export class SyncCoreModule {
  public static forRoot(env: SyncEngineEnv): DynamicModule {
    return { module: SyncCoreModule, imports: [TenancyModule], providers: [{ provide: SYNC_ENGINE_ENV, useValue: env }, SyncEngine, SyncCoreLink], exports: [SyncEngine] };
  }
}

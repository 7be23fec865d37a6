import { TtlCache } from '@pushsync/platform';
import { instanceIdOf } from '@pushsync/tenancy';
import type { SyncConfig } from '../configs/sync-config';
import type { SyncConfigRepository } from '../configs/sync-config.repository';

export interface AppKey {
  workspaceId: string;
  appId: string;
}

/**
 * The configurations of an app as the intake and delivery see them, cached per app for `ttlMs`.
 * A change made through this sync-core is forgotten before its call answers (`forget`), and other
 * sync-cores forget it when told over the bus; a lost message is bounded by `ttlMs`.
 */
export class ConfigDirectory {
  private readonly cache: TtlCache<SyncConfig[]>;

  public constructor(
    private readonly repository: SyncConfigRepository,
    clock: { now(): number },
    ttlMs: number,
  ) {
    this.cache = new TtlCache(ttlMs, () => clock.now());
  }

  public async online(app: AppKey, fresh = false): Promise<SyncConfig[]> {
    return (await this.all(app, fresh)).filter((config) => config.status === 'ONLINE');
  }

  /** A bizType missing from the cached list is looked up again at once: data for a new configuration is not held back. */
  public async onlineConfig(app: AppKey, bizType: string): Promise<SyncConfig | null> {
    const find = (configs: SyncConfig[]) => configs.find((config) => config.bizType === bizType);
    const config = find(await this.all(app)) ?? find(await this.all(app, true));
    return config?.status === 'ONLINE' ? config : null;
  }

  /** The app's configurations changed: read them again at the next use. */
  public forget(instanceId: string): void {
    this.cache.forget(instanceId);
  }

  private all(app: AppKey, fresh = false): Promise<SyncConfig[]> {
    const id = instanceIdOf(app.workspaceId, app.appId);
    if (fresh) this.cache.forget(id);
    return this.cache.get(id, () => this.repository.list(app.workspaceId, app.appId));
  }
}

import { instanceIdOf } from '@pushsync/tenancy';
import type { SyncConfig } from '../configs/sync-config';
import type { SyncConfigRepository } from '../configs/sync-config.repository';

export interface AppKey {
  workspaceId: string;
  appId: string;
}

/**
 * The configurations of an app as delivery sees them, cached briefly per app: a configuration
 * taken offline (or edited) takes effect for delivery within `ttlMs`.
 */
export class ConfigDirectory {
  private readonly cache = new Map<string, { at: number; configs: SyncConfig[] }>();

  public constructor(
    private readonly repository: SyncConfigRepository,
    private readonly clock: { now(): number },
    private readonly ttlMs = 1000,
  ) {}

  public async online(app: AppKey, fresh = false): Promise<SyncConfig[]> {
    return (await this.all(app, fresh)).filter((config) => config.status === 'ONLINE');
  }

  /** A bizType missing from the cached list is looked up again at once: data for a new configuration is not held back. */
  public async onlineConfig(app: AppKey, bizType: string): Promise<SyncConfig | null> {
    const find = (configs: SyncConfig[]) => configs.find((config) => config.bizType === bizType);
    const config = find(await this.all(app)) ?? find(await this.all(app, true));
    return config?.status === 'ONLINE' ? config : null;
  }

  private async all(app: AppKey, fresh = false): Promise<SyncConfig[]> {
    const id = instanceIdOf(app.workspaceId, app.appId);
    const now = this.clock.now();
    const cached = this.cache.get(id);
    if (cached && !fresh && now - cached.at < this.ttlMs) return cached.configs;
    const configs = await this.repository.list(app.workspaceId, app.appId);
    this.cache.set(id, { at: now, configs });
    return configs;
  }
}

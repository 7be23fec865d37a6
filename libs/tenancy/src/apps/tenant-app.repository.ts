import type { Collection, JsonValue, Store } from '@pushsync/platform';
import type { PlatformKeyPair } from './platform-key';
import { instanceIdOf, type TenantApp } from './tenant-app';

export class TenantAppRepository {
  private constructor(private readonly apps: Collection<TenantApp>) {}

  public static async open(store: Store): Promise<TenantAppRepository> {
    return new TenantAppRepository(
      await store.collection<TenantApp>({
        name: 'tenant_apps',
        // listApps: newest first for the admin list.
        indexes: [{ name: 'created', fields: { createdAt: -1 } }],
      }),
    );
  }

  /** Throws DuplicateKeyError when the pair exists. */
  public insert(app: TenantApp): Promise<void> {
    return this.apps.insertOne(app);
  }

  public find(workspaceId: string, appId: string): Promise<TenantApp | null> {
    return this.apps.findOne({ _id: instanceIdOf(workspaceId, appId) });
  }

  public list(instanceIds?: string[]): Promise<TenantApp[]> {
    return this.apps.find(instanceIds ? { _id: { $in: instanceIds } } : {}, { sort: { createdAt: -1 }, limit: 1000 });
  }

  public update(workspaceId: string, appId: string, changes: Partial<Omit<TenantApp, '_id' | 'appId' | 'workspaceId'>>): Promise<TenantApp | null> {
    const defined = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as Record<string, JsonValue>;
    return this.apps.findOneAndUpdate({ _id: instanceIdOf(workspaceId, appId) }, { $set: defined });
  }

  /** Stores the key only when the app has none yet; the caller re-reads to learn which key won. */
  public async setPlatformKeyIfAbsent(workspaceId: string, appId: string, key: PlatformKeyPair): Promise<void> {
    await this.apps.updateOne({ _id: instanceIdOf(workspaceId, appId), platformKey: { $exists: false } }, { $set: { platformKey: key } });
  }
}

import { randomUUID } from 'node:crypto';
import type { Collection, JsonValue, Store } from '@pushsync/platform';
import type { SyncConfig } from './sync-config';

/** Sync configurations on the Store port. Every filter names the tenant app (DECISIONS D1). */
export class SyncConfigRepository {
  private constructor(private readonly configs: Collection<SyncConfig>) {}

  public static async open(store: Store): Promise<SyncConfigRepository> {
    return new SyncConfigRepository(
      await store.collection<SyncConfig>({
        name: 'sync_configs',
        indexes: [
          // One configuration per (app, bizType); find/update/delete by bizType, list an app's configurations in bizType order.
          { name: 'app_biz', fields: { workspaceId: 1, appId: 1, bizType: 1 }, unique: true },
        ],
      }),
    );
  }

  public static newId(): string {
    return randomUUID();
  }

  /** Throws DuplicateKeyError when the app already has this bizType. */
  public insert(config: SyncConfig): Promise<void> {
    return this.configs.insertOne(config);
  }

  public find(workspaceId: string, appId: string, bizType: string): Promise<SyncConfig | null> {
    return this.configs.findOne({ workspaceId, appId, bizType });
  }

  /** An app's configurations in bizType order (at most 1000: the console lists them on one page). */
  public list(workspaceId: string, appId: string): Promise<SyncConfig[]> {
    return this.configs.find({ workspaceId, appId }, { sort: { bizType: 1 }, limit: 1000 });
  }

  /** Sets fields when the stored document still matches `expected` (optimistic: null when it changed or vanished). */
  public update(workspaceId: string, appId: string, bizType: string, expected: Partial<Pick<SyncConfig, 'status' | 'updatedAt'>>, changes: Partial<Omit<SyncConfig, '_id' | 'appId' | 'workspaceId' | 'bizType'>>): Promise<SyncConfig | null> {
    const defined = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as Record<string, JsonValue>;
    return this.configs.findOneAndUpdate({ workspaceId, appId, bizType, ...expected }, { $set: defined });
  }

  /** Deletes the configuration when it is in `status`; returns whether it did. */
  public async deleteWhen(workspaceId: string, appId: string, bizType: string, status: SyncConfig['status']): Promise<boolean> {
    return (await this.configs.deleteOne({ workspaceId, appId, bizType, status })) > 0;
  }
}

import type { Collection, Store } from '@pushsync/platform';
import type { AccessKey } from './access-key';

export class AccessKeyRepository {
  private constructor(private readonly keys: Collection<AccessKey>) {}

  public static async open(store: Store): Promise<AccessKeyRepository> {
    return new AccessKeyRepository(
      await store.collection<AccessKey>({
        name: 'access_keys',
        // listForApp: the keys of one app.
        indexes: [{ name: 'app', fields: { workspaceId: 1, appId: 1 } }],
      }),
    );
  }

  public insert(key: AccessKey): Promise<void> {
    return this.keys.insertOne(key);
  }

  public findActive(accessKeyId: string): Promise<AccessKey | null> {
    return this.keys.findOne({ _id: accessKeyId, status: 'active' });
  }

  public listForApp(workspaceId: string, appId: string): Promise<AccessKey[]> {
    return this.keys.find({ workspaceId, appId }, { sort: { createdAt: -1 } });
  }

  public revoke(workspaceId: string, appId: string, accessKeyId: string, at: number): Promise<AccessKey | null> {
    return this.keys.findOneAndUpdate({ _id: accessKeyId, workspaceId, appId, status: 'active' }, { $set: { status: 'revoked', revokedAt: at } });
  }
}

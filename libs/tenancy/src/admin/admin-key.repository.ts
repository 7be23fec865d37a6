import type { Collection, Store } from '@pushsync/platform';
import type { AdminKey } from './admin-key';

export class AdminKeyRepository {
  private constructor(private readonly keys: Collection<AdminKey>) {}

  public static async open(store: Store): Promise<AdminKeyRepository> {
    // ensureBootstrapOwner: "is there any owner?".
    return new AdminKeyRepository(await store.collection<AdminKey>({ name: 'admin_keys', indexes: [{ name: 'role', fields: { role: 1, status: 1 } }] }));
  }

  public insert(key: AdminKey): Promise<void> {
    return this.keys.insertOne(key);
  }

  public findActive(id: string): Promise<AdminKey | null> {
    return this.keys.findOne({ _id: id, status: 'active' });
  }

  public findById(id: string): Promise<AdminKey | null> {
    return this.keys.findOne({ _id: id });
  }

  public countActiveOwners(): Promise<number> {
    return this.keys.count({ role: 'owner', status: 'active' });
  }

  public list(): Promise<AdminKey[]> {
    return this.keys.find({}, { sort: { createdAt: -1 } });
  }

  public revoke(id: string): Promise<AdminKey | null> {
    return this.keys.findOneAndUpdate({ _id: id, status: 'active' }, { $set: { status: 'revoked' } });
  }
}

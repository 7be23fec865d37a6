import { DuplicateKeyError, type Collection, type JsonValue, type Store, type StoredDocument } from '@pushsync/platform';
import type { ConsistencyOutcome } from './consistency-validator';

/** The latest user consistency check of one device (DECISIONS D3): one per (app, device token). */
export interface ConsistencyRecord extends StoredDocument {
  /** `${instanceId}|${deviceToken}` */
  _id: string;
  appId: string;
  workspaceId: string;
  deviceToken: string;
  userId: string;
  sessionId: string;
  outcome: ConsistencyOutcome;
  reason: string;
  /** When the check started (epoch ms): it orders concurrent checks and ages valid results. */
  checkedAt: number;
}

export function consistencyRecordId(instanceId: string, deviceToken: string): string {
  return `${instanceId}|${deviceToken}`;
}

export class ConsistencyRecordRepository {
  private constructor(private readonly records: Collection<ConsistencyRecord>) {}

  public static async open(store: Store): Promise<ConsistencyRecordRepository> {
    return new ConsistencyRecordRepository(await store.collection<ConsistencyRecord>({ name: 'sync_consistency' }));
  }

  public find(instanceId: string, deviceToken: string): Promise<ConsistencyRecord | null> {
    return this.records.findOne({ _id: consistencyRecordId(instanceId, deviceToken) });
  }

  /**
   * Keeps the record of the check that started last: a slow answer to an older bind must not
   * overwrite the result for the binding that replaced it. Returns false when a newer record won.
   */
  public async saveUnlessNewer(record: ConsistencyRecord): Promise<boolean> {
    const { _id, ...fields } = record;
    try {
      await this.records.updateOne({ _id, checkedAt: { $lte: record.checkedAt } }, { $set: fields as Record<string, JsonValue> }, { upsert: true });
      return true;
    } catch (error) {
      // The upsert found the _id taken by a record whose check started later.
      if (error instanceof DuplicateKeyError) return false;
      throw error;
    }
  }
}

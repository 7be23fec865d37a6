import type { Collection, Store } from '@pushsync/platform';
import type { ChannelRef } from '../channel';

interface StoredSyncPoint {
  _id: string;
  [field: string]: string | number;
  instanceId: string;
  bizType: string;
  key: string;
  /** The device token, or USER_POINT_HOLDER for a single-device user channel. */
  holder: string;
  point: number;
  updatedAt: number;
}

/** Server-side sync points (DECISIONS D3 "Sync points"): they only ever move forward. */
export class SyncPointRepository {
  private constructor(private readonly points: Collection<StoredSyncPoint>) {}

  public static async open(store: Store): Promise<SyncPointRepository> {
    return new SyncPointRepository(await store.collection<StoredSyncPoint>({ name: 'sync_points', indexes: [{ name: 'biz', fields: { instanceId: 1, bizType: 1 } }] }));
  }

  private static id(channel: ChannelRef, holder: string): string {
    return JSON.stringify([channel.instanceId, channel.bizType, channel.key, holder]);
  }

  public async get(channel: ChannelRef, holder: string): Promise<number> {
    return (await this.points.findOne({ _id: SyncPointRepository.id(channel, holder) }))?.point ?? 0;
  }

  /** Moves the point to `point` unless it is already there or beyond. */
  public async raise(channel: ChannelRef, holder: string, point: number, now: number): Promise<void> {
    const _id = SyncPointRepository.id(channel, holder);
    const moved = await this.points.updateOne({ _id, point: { $lt: point } }, { $set: { point, updatedAt: now } });
    if (moved.matched > 0) return;
    await this.points.updateOne({ _id }, { $setOnInsert: { instanceId: channel.instanceId, bizType: channel.bizType, key: channel.key, holder, point, updatedAt: now } }, { upsert: true });
  }

  public deleteOfBizType(instanceId: string, bizType: string): Promise<number> {
    return this.points.deleteMany({ instanceId, bizType });
  }
}

import { GLOBAL_KEY, USER_POINT_HOLDER, channelId, type ChannelRef } from '../channel';
import type { SyncConfig } from '../configs/sync-config';
import type { ConnectedDevices, ConnectedEntry } from '../delivery/connected-devices';
import type { DeliveredBatch, DeliveryRepository } from '../delivery/delivery.repository';
import type { SyncPointRepository } from '../delivery/sync-point.repository';
import { passesFilters } from '../filters/delivery-filter';
import { isLive, type Oplog } from '../oplogs/oplog';
import type { OplogRepository } from '../oplogs/oplog.repository';

export type StatusTargetType = 'USER' | 'DEVICE';
export type PushStatus = 'PENDING' | 'ACKED' | 'DROPPED' | 'TRIMMED' | 'EXPIRED';

export interface PushListEntry {
  bizType: string;
  key: string;
  oplogId: number;
  thirdMsgId: string | null;
  status: PushStatus;
  /** First sent to `device`; null for an oplog never sent. */
  sentAt: number | null;
  device: string | null;
  createdAt: number;
}

export interface SyncStatus {
  target: { type: StatusTargetType; id: string };
  connected: boolean;
  connectedDevices: string[];
  /** Distinct oplogs sent in the window (per bizType, key and id, across the user's devices). */
  pushes: number;
  /** Distinct oplogs acknowledged in the window. */
  arrivals: number;
  /** Newest first. */
  pushList: PushListEntry[];
}

export const STATUS_WINDOW_MS = 30 * 86_400_000;
export const PUSH_LIST_LIMIT = 100;
/** The batches read for the counts: 200 oplogs each at most, far more than a console user reads. */
const MAX_COUNTED_BATCHES = 10_000;

export interface StatusApp {
  instanceId: string;
  configs: SyncConfig[];
}

/** A channel of the target whose never-sent oplogs are derived as TRIMMED / EXPIRED / queued. */
interface WatchedChannel {
  ref: ChannelRef;
  holders: string[];
  pushObject: SyncConfig['pushObject'];
}

/**
 * The console's User/Device Status Query (mss.md §5.4, DECISIONS D3 "Statistics"). Counts come
 * from the delivered batches of the last 30 days. TRIMMED and EXPIRED are not stored per oplog, so
 * the newest oplogs of the target's channels that no batch of the target holds are derived: gone
 * out of validity -> EXPIRED; at or below the sync point -> TRIMMED, unless the oplog's filters
 * exclude the target (filtered data counts as nothing); above it -> PENDING, still owed and never
 * sent. A sent oplog still PENDING whose validity ended will not be re-sent: EXPIRED.
 */
export class SyncStatusQuery {
  public constructor(
    private readonly deliveries: DeliveryRepository,
    private readonly oplogs: OplogRepository,
    private readonly points: SyncPointRepository,
    private readonly connected: ConnectedDevices,
    private readonly clock: { now(): number },
  ) {}

  public async query(app: StatusApp, type: StatusTargetType, id: string): Promise<SyncStatus> {
    const now = this.clock.now();
    const since = now - STATUS_WINDOW_MS;
    const { instanceId } = app;
    const presence: Array<{ token: string; entry: ConnectedEntry }> =
      type === 'DEVICE' ? await this.connected.get(instanceId, id).then((entry) => (entry ? [{ token: id, entry }] : [])) : await this.connected.entriesOfUser(instanceId, id);
    const batches = type === 'DEVICE' ? await this.deliveries.ofDevice(instanceId, id, since, MAX_COUNTED_BATCHES) : await this.deliveries.ofUser(instanceId, id, since, MAX_COUNTED_BATCHES);

    const sent = new Set<string>();
    const acked = new Set<string>();
    for (const batch of batches) {
      for (const oplogId of batch.ids) {
        const key = oplogKey(batch.bizType, batch.key, oplogId);
        sent.add(key);
        if (batch.status === 'ACKED') acked.add(key);
      }
    }

    const sentEntries = await this.sentEntries(instanceId, batches, now);
    const derived = await this.derivedEntries(app, type, id, presence, batches, sent, since, now);
    const pushList = [...sentEntries, ...derived].sort((a, b) => (b.sentAt ?? b.createdAt) - (a.sentAt ?? a.createdAt) || b.oplogId - a.oplogId).slice(0, PUSH_LIST_LIMIT);
    return {
      target: { type, id },
      connected: presence.length > 0,
      connectedDevices: presence.map((device) => device.token).sort(),
      pushes: sent.size,
      arrivals: acked.size,
      pushList,
    };
  }

  /** One row per oplog and device of the newest batches, with the oplog's thirdMsgId while it is stored. */
  private async sentEntries(instanceId: string, batches: DeliveredBatch[], now: number): Promise<PushListEntry[]> {
    const rows: Array<{ batch: DeliveredBatch; oplogId: number }> = [];
    for (const batch of batches) {
      for (const oplogId of [...batch.ids].reverse()) rows.push({ batch, oplogId });
      if (rows.length >= PUSH_LIST_LIMIT) break;
    }
    const shown = rows.slice(0, PUSH_LIST_LIMIT);
    const stored = await this.oplogsOf(
      instanceId,
      shown.map(({ batch, oplogId }) => ({ bizType: batch.bizType, key: batch.key, oplogId })),
    );
    return shown.map(({ batch, oplogId }) => {
      const oplog = stored.get(oplogKey(batch.bizType, batch.key, oplogId));
      const expired = batch.status === 'PENDING' && (oplog === undefined || !isLive(oplog, now));
      return {
        bizType: batch.bizType,
        key: batch.key,
        oplogId,
        thirdMsgId: oplog?.thirdMsgId ?? null,
        status: expired ? 'EXPIRED' : batch.status,
        sentAt: batch.firstSentAt,
        device: batch.token,
        createdAt: oplog?.createdAt ?? batch.firstSentAt,
      };
    });
  }

  private async derivedEntries(
    app: StatusApp,
    type: StatusTargetType,
    id: string,
    presence: Array<{ token: string; entry: ConnectedEntry }>,
    batches: DeliveredBatch[],
    sent: Set<string>,
    since: number,
    now: number,
  ): Promise<PushListEntry[]> {
    const channels = type === 'DEVICE' ? this.channelsOfDevice(app, id, presence[0]?.entry ?? null, batches) : this.channelsOfUser(app, id, presence, batches);
    if (channels.length === 0) return [];
    const pointOf = new Map<string, number>();
    for (const channel of channels) {
      const points = await Promise.all(channel.holders.map((holder) => this.points.get(channel.ref, holder)));
      pointOf.set(channelId(channel.ref), Math.max(0, ...points));
    }
    const byChannel = new Map(channels.map((channel) => [channelId(channel.ref), channel]));
    const deviceEntry = type === 'DEVICE' ? (presence[0]?.entry ?? null) : null;
    const targetTokens = new Set(type === 'DEVICE' ? [id] : [...presence.map((device) => device.token), ...batches.map((batch) => batch.token)]);
    const entries: PushListEntry[] = [];
    for (const oplog of await this.oplogs.recentOf(
      channels.map((channel) => channel.ref),
      since,
      PUSH_LIST_LIMIT,
    )) {
      if (sent.has(oplogKey(oplog.bizType, oplog.key, oplog.id))) continue;
      if (oplog.targets !== null && !oplog.targets.some((token) => targetTokens.has(token))) continue;
      const channel = byChannel.get(channelId(oplog))!;
      const status = derivedStatus(oplog, pointOf.get(channelId(oplog))!, now, this.excludes(oplog, channel, type, id, deviceEntry));
      if (status === null) continue;
      entries.push({ bizType: oplog.bizType, key: oplog.key, oplogId: oplog.id, thirdMsgId: oplog.thirdMsgId, status, sentAt: null, device: type === 'DEVICE' ? id : null, createdAt: oplog.createdAt });
    }
    return entries;
  }

  /** Whether the oplog's filters rule the target out, as far as they can be judged: platform and version only for a connected device. */
  private excludes(oplog: Oplog, channel: WatchedChannel, type: StatusTargetType, id: string, entry: ConnectedEntry | null): boolean {
    const segmentId = channel.pushObject === 'USER' ? (type === 'USER' ? id : (entry?.userId ?? null)) : id;
    if (entry === null) return !passesFilters({ ...oplog.filters, platforms: null, appMinVersion: null, appMaxVersion: null }, { platform: '', appVersion: '', segmentId });
    return !passesFilters(oplog.filters, { platform: entry.platform, appVersion: entry.appVersion, segmentId });
  }

  /**
   * The channels whose sync point the device holds: device and global data, and multi-device
   * data of its user (now bound, or the user of its newest batch). Single-device user data is the
   * user's (its point is held by no device), so it shows in the user query.
   */
  private channelsOfDevice(app: StatusApp, token: string, entry: ConnectedEntry | null, batches: DeliveredBatch[]): WatchedChannel[] {
    const userId = entry ? entry.userId : (batches.find((batch) => batch.userId !== null)?.userId ?? null);
    const channels: WatchedChannel[] = [];
    for (const config of app.configs) {
      const ref = (key: string): WatchedChannel => ({ ref: { instanceId: app.instanceId, bizType: config.bizType, key }, holders: [token], pushObject: config.pushObject });
      if (config.pushRange === 'GLOBAL') channels.push(ref(GLOBAL_KEY));
      else if (config.pushObject === 'DEVICE') channels.push(ref(token));
      else if (config.multiDevice === true && userId !== null) channels.push(ref(userId));
    }
    return channels;
  }

  /** The user's targeted channels; for multi-device data the furthest point of the user's known devices counts. */
  private channelsOfUser(app: StatusApp, userId: string, presence: Array<{ token: string }>, batches: DeliveredBatch[]): WatchedChannel[] {
    const devices = [...new Set([...presence.map((device) => device.token), ...batches.map((batch) => batch.token)])];
    return app.configs
      .filter((config) => config.pushRange === 'SPECIFY' && config.pushObject === 'USER')
      .map((config) => ({
        ref: { instanceId: app.instanceId, bizType: config.bizType, key: userId },
        holders: config.multiDevice === true ? devices : [USER_POINT_HOLDER],
        pushObject: config.pushObject,
      }));
  }

  private async oplogsOf(instanceId: string, wanted: Array<{ bizType: string; key: string; oplogId: number }>): Promise<Map<string, Oplog>> {
    const idsByChannel = new Map<string, { ref: ChannelRef; ids: number[] }>();
    for (const { bizType, key, oplogId } of wanted) {
      const ref = { instanceId, bizType, key };
      const group = idsByChannel.get(channelId(ref)) ?? { ref, ids: [] };
      group.ids.push(oplogId);
      idsByChannel.set(channelId(ref), group);
    }
    const found = new Map<string, Oplog>();
    for (const { ref, ids } of idsByChannel.values()) for (const oplog of await this.oplogs.ofIds(ref, ids)) found.set(oplogKey(oplog.bizType, oplog.key, oplog.id), oplog);
    return found;
  }
}

function oplogKey(bizType: string, key: string, oplogId: number): string {
  return JSON.stringify([bizType, key, oplogId]);
}

/** The status of an oplog no batch of the target holds, or null when it counts as nothing for the target. */
function derivedStatus(oplog: Oplog, point: number, now: number, excluded: boolean): PushStatus | null {
  if (excluded) return null;
  if (!isLive(oplog, now)) return 'EXPIRED';
  return oplog.id <= point ? 'TRIMMED' : 'PENDING';
}

import { DuplicateKeyError, partitionFor, type PlatformLogger, type RecordBatch, type TopicPartition } from '@pushsync/platform';
import { createFrame, encodeFrame } from '@pushsync/protocol';
import { parseInstanceId } from '@pushsync/tenancy';
import { GLOBAL_KEY, USER_POINT_HOLDER, type ChannelRef } from '../channel';
import { DEFAULT_THRESHOLD, type SyncConfig } from '../configs/sync-config';
import { passesFilters } from '../filters/delivery-filter';
import { isLive, type Oplog } from '../oplogs/oplog';
import type { OplogRepository } from '../oplogs/oplog.repository';
import { SYNC_DEVICE_WORK_TOPIC } from '../topics';
import type { ConfigDirectory } from './config-directory';
import { mostRecentDevice, type ConnectedDevices, type FrameSender } from './connected-devices';
import { DeliveryRepository } from './delivery.repository';
import { decodeDeviceWork, type DeviceConnection, type DeviceWork } from './device-work';
import type { SyncPointRepository } from './sync-point.repository';

export interface DeliveryOptions {
  /** First ack timeout; doubles after each re-send up to `maxAckTimeoutMs` (DECISIONS D3: 10 s to 5 min). */
  ackTimeoutMs: number;
  maxAckTimeoutMs: number;
  /** The first send plus 6 re-sends. */
  maxSends: number;
  batchMaxOps: number;
  /** Payload bytes per SyncData frame, under the 64 KiB frame limit. */
  batchMaxBytes: number;
}

export const DEFAULT_DELIVERY_OPTIONS: DeliveryOptions = { ackTimeoutMs: 10_000, maxAckTimeoutMs: 300_000, maxSends: 7, batchMaxOps: 500, batchMaxBytes: 48 * 1024 };

/** What the user consistency gate (mss.md §4) offers delivery. */
export interface ConsistencyGate {
  /** Whether user-consistency data may go to this device's user now. */
  allows(app: DeviceApp, token: string, userId: string): Promise<boolean>;
  /** Validates when due (first sight of a session, an earlier error, a result older than 24 h). */
  onConnect(app: DeviceApp, token: string, userId: string, sessionId: string | null): Promise<void>;
  /** Always validates. */
  onBind(app: DeviceApp, token: string, userId: string, sessionId: string | null): Promise<void>;
}

export interface DeviceApp {
  instanceId: string;
  appId: string;
  workspaceId: string;
}

interface SentBatch {
  id: string;
  firstId: number;
  lastId: number;
  ops: Array<{ id: number; pl: string; isB: boolean }>;
  attempts: number;
}

/** What one device is owed on one bizType (one channel per bizType and device). */
interface ChannelState {
  ref: ChannelRef;
  /** Whose sync point: the device token, or USER_POINT_HOLDER for single-device user data. */
  holder: string;
  config: SyncConfig;
  loaded: boolean;
  /** The stored sync point. */
  point: number;
  /** Every id up to here was sent, skipped or trimmed. */
  scannedUpTo: number;
  /** A catch-up's newest-N cut was made and batches of it remain: the next ones are read forward from scannedUpTo. */
  catchingUp: boolean;
  /** Sent and not acknowledged, by first id, ascending. */
  inflight: Map<number, SentBatch>;
  timer: NodeJS.Timeout | undefined;
  backoffMs: number;
}

interface DeviceState {
  connection: DeviceConnection;
  channels: Map<string, ChannelState>;
}

/**
 * The delivery worker (DECISIONS D3 "Delivery"): consumes the device-work topic, keyed by device,
 * so one member owns a device's sync points, in-flight batches and retry timers at a time. Work for
 * one device runs one item at a time (timers included); state lost with a crash is rebuilt from
 * presence and the store when the device's next item, or the partition's new owner, comes.
 */
export class SyncDelivery {
  private readonly devices = new Map<string, DeviceState>();
  private readonly locks = new Map<string, Promise<void>>();
  private stopped = false;

  public constructor(
    private readonly oplogs: OplogRepository,
    private readonly points: SyncPointRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly configs: ConfigDirectory,
    private readonly connected: ConnectedDevices,
    private readonly sender: FrameSender,
    private readonly consistency: ConsistencyGate,
    private readonly clock: { now(): number },
    private readonly logger: PlatformLogger,
    private readonly options: DeliveryOptions = DEFAULT_DELIVERY_OPTIONS,
  ) {}

  public async handleBatch(batch: RecordBatch): Promise<void> {
    for (const record of batch.records) {
      const work = decodeDeviceWork(record.value);
      if (work === null) this.logger.warn({ partition: batch.partition, offset: record.offset }, 'skipping a malformed device-work record');
      else await this.handle(work);
    }
  }

  /** Resumes unacknowledged batches of the devices in the partitions this member now owns. */
  public async partitionsAssigned(partitions: TopicPartition[]): Promise<void> {
    const owned = new Set(partitions.filter((p) => p.topic === SYNC_DEVICE_WORK_TOPIC.name).map((p) => p.partition));
    for (const token of [...this.devices.keys()]) if (!owned.has(partitionFor(token, SYNC_DEVICE_WORK_TOPIC.partitions))) this.forget(token);
    const pending = await this.deliveries.devicesWithPending(10_000);
    for (const { instanceId, token } of pending) {
      if (!owned.has(partitionFor(token, SYNC_DEVICE_WORK_TOPIC.partitions))) continue;
      void this.withDevice(token, async () => {
        const state = this.devices.get(token) ?? (await this.rebuild(instanceId, token));
        if (state) for (const config of await this.configs.online(state.connection)) await this.pumpBizType(state, config.bizType);
      }).catch((error: unknown) => this.logger.warn({ err: error }, 'resuming a device failed; its next event resumes it'));
    }
  }

  public stop(): void {
    this.stopped = true;
    for (const token of [...this.devices.keys()]) this.forget(token);
  }

  public async handle(work: DeviceWork): Promise<void> {
    switch (work.type) {
      case 'connect':
        await this.withDevice(work.token, () => this.connect(work));
        if (work.userId) await this.validateThenPump(work, () => this.consistency.onConnect(work, work.token, work.userId!, work.sessionId));
        return;
      case 'bind':
        await this.withDevice(work.token, () => this.bind(work));
        if (work.userId) await this.validateThenPump(work, () => this.consistency.onBind(work, work.token, work.userId!, work.sessionId));
        return;
      case 'unbind':
        return this.withDevice(work.token, async () => {
          const state = this.devices.get(work.token);
          if (state && state.connection.userId === work.userId) this.setUser(state, null);
        });
      case 'disconnect':
        return this.withDevice(work.token, async () => {
          if (this.devices.get(work.token)?.connection.connectionId === work.connectionId) this.forget(work.token);
        });
      case 'ack':
        return this.withDevice(work.token, () => this.ack(work));
      case 'oplog':
        await Promise.all(work.tokens.map((token) => this.withDevice(token, () => this.offer(work.instanceId, token, work.oplog))));
        return;
    }
  }

  // --- lifecycle ---------------------------------------------------------------------------

  private async connect(work: Extract<DeviceWork, { type: 'connect' }>): Promise<void> {
    this.forget(work.token);
    const { type: _type, sessionId: _sessionId, syncPoints, ...connection } = work;
    const state: DeviceState = { connection, channels: new Map() };
    this.devices.set(work.token, state);
    const configs = await this.configs.online(connection, true);
    for (const point of syncPoints) {
      const config = configs.find((c) => c.bizType === point.bizType);
      const channel = config ? this.channelFor(state, config) : null;
      // The client's point counts only for the channel it names (DECISIONS D3: the larger value for the same key).
      if (channel && channel.ref.key === point.key && point.oplogId > 0) await this.points.raise(channel.ref, channel.holder, point.oplogId, this.clock.now());
    }
    for (const config of configs) await this.pumpBizType(state, config.bizType);
  }

  private async bind(work: Extract<DeviceWork, { type: 'bind' }>): Promise<void> {
    const state = this.devices.get(work.token);
    if (!state || state.connection.connectionId !== work.connectionId) return;
    this.setUser(state, work.userId);
    for (const config of await this.configs.online(state.connection)) if (config.pushObject === 'USER') await this.pumpBizType(state, config.bizType);
  }

  /**
   * Runs the consistency validation of a bound device outside the device's turn (the tenant may
   * take 3 s), whatever its configurations (mss.md §4.1: the result is recorded for later), then
   * delivers the consistency-gated data it may have unblocked.
   */
  private async validateThenPump(work: DeviceConnection, validate: () => Promise<void>): Promise<void> {
    try {
      await validate();
    } catch (error) {
      this.logger.warn({ err: error, instanceId: work.instanceId }, 'user consistency validation failed; retried at the next bind or connect');
      return;
    }
    const gated = (await this.configs.online(work, true)).filter((config) => config.pushObject === 'USER' && config.userConsistency === true);
    if (gated.length === 0) return;
    await this.withDevice(work.token, async () => {
      const state = this.devices.get(work.token);
      if (state?.connection.connectionId !== work.connectionId) return;
      for (const config of gated) await this.pumpBizType(state, config.bizType);
    });
  }

  private setUser(state: DeviceState, userId: string | null): void {
    for (const [bizType, channel] of state.channels) {
      if (channel.config.pushObject === 'USER' && channel.ref.key !== GLOBAL_KEY) {
        this.clearTimer(channel);
        state.channels.delete(bizType);
      }
    }
    state.connection = { ...state.connection, userId };
  }

  private forget(token: string): void {
    const state = this.devices.get(token);
    if (!state) return;
    for (const channel of state.channels.values()) this.clearTimer(channel);
    this.devices.delete(token);
  }

  /** A device not in memory (this member restarted or gained its partition): rebuilt from presence, or null when it is not connected. */
  private async rebuild(instanceId: string, token: string): Promise<DeviceState | null> {
    const app = parseInstanceId(instanceId);
    const entry = app && (await this.connected.get(instanceId, token));
    if (!app || !entry) return null;
    const state: DeviceState = {
      connection: { instanceId, ...app, token, ...entry },
      channels: new Map(),
    };
    this.devices.set(token, state);
    return state;
  }

  // --- channels ----------------------------------------------------------------------------

  /** The device's channel for a configuration, or null when the configuration has none for it (a user config and no user). */
  private channelFor(state: DeviceState, config: SyncConfig): ChannelState | null {
    const existing = state.channels.get(config.bizType);
    if (existing) {
      existing.config = config;
      return existing;
    }
    const { instanceId, token, userId } = state.connection;
    let key: string;
    let holder = token;
    if (config.pushRange === 'GLOBAL') key = GLOBAL_KEY;
    else if (config.pushObject === 'DEVICE') key = token;
    else if (userId) {
      key = userId;
      if (config.multiDevice !== true) holder = USER_POINT_HOLDER;
    } else return null;
    const channel: ChannelState = {
      ref: { instanceId, bizType: config.bizType, key },
      holder,
      config,
      loaded: false,
      point: 0,
      scannedUpTo: 0,
      catchingUp: false,
      inflight: new Map(),
      timer: undefined,
      backoffMs: this.options.ackTimeoutMs,
    };
    state.channels.set(config.bizType, channel);
    return channel;
  }

  private async load(state: DeviceState, channel: ChannelState): Promise<void> {
    channel.point = await this.points.get(channel.ref, channel.holder);
    channel.scannedUpTo = channel.point;
    const pending = await this.deliveries.pendingOf(channel.ref, state.connection.token);
    const covered = pending.filter((batch) => batch.lastId <= channel.point).map((batch) => batch._id);
    await this.deliveries.settle(covered, 'ACKED');
    const open = pending.filter((batch) => batch.lastId > channel.point);
    if (open.length > 0) {
      const oplogs = new Map((await this.oplogs.inRange(channel.ref, open[0]!.firstId, open.at(-1)!.lastId)).map((oplog) => [oplog.id, oplog]));
      for (const batch of open) {
        // Expired data and non-persistent data of an earlier connection are not sent again.
        const ops = batch.ids.flatMap((id) => {
          const oplog = oplogs.get(id);
          return oplog && this.eligible(state, oplog) ? [wireOp(oplog)] : [];
        });
        channel.inflight.set(batch.firstId, { id: batch._id, firstId: batch.firstId, lastId: batch.lastId, ops, attempts: batch.attempts });
        channel.scannedUpTo = Math.max(channel.scannedUpTo, batch.lastId);
      }
    }
    channel.loaded = true;
  }

  /** Everything the device is owed on the bizType now: unacknowledged batches again, then what is new. */
  private async pumpBizType(state: DeviceState, bizType: string): Promise<void> {
    const config = await this.configs.onlineConfig(state.connection, bizType);
    const channel = config ? this.channelFor(state, config) : null;
    if (!channel) return;
    if (!(await this.deliverable(state, channel))) return;
    if (!channel.loaded) await this.load(state, channel);
    channel.backoffMs = this.options.ackTimeoutMs;
    await this.resendInflight(state, channel);
    await this.sendNew(state, channel);
  }

  /** Consistency-gated user data is withheld (neither sent nor skipped) until the user's session is valid. */
  private async deliverable(state: DeviceState, channel: ChannelState): Promise<boolean> {
    const { config } = channel;
    if (config.pushObject !== 'USER' || config.userConsistency !== true) return true;
    const userId = state.connection.userId;
    return userId !== null && (await this.consistency.allows(state.connection, state.connection.token, userId));
  }

  /** A new oplog for a connected device: sent at once when it is the next one, otherwise the channel catches up from the store. */
  private async offer(instanceId: string, token: string, oplog: Oplog): Promise<void> {
    if (oplog.targets !== null && !oplog.targets.includes(token)) return;
    const state = this.devices.get(token) ?? (await this.rebuild(instanceId, token));
    if (!state) return;
    const config = await this.configs.onlineConfig(state.connection, oplog.bizType);
    const channel = config ? this.channelFor(state, config) : null;
    if (!channel || channel.ref.key !== oplog.key) return;
    if (!channel.loaded) return this.pumpBizType(state, oplog.bizType);
    if (oplog.id <= channel.scannedUpTo || channel.inflight.size > 0) return; // an ack sends what came meanwhile
    if (oplog.id !== channel.scannedUpTo + 1) return this.sendNew(state, channel);
    if (!(await this.deliverable(state, channel))) return;
    channel.scannedUpTo = oplog.id;
    if (this.eligible(state, oplog)) await this.sendOps(state, channel, [oplog]);
    await this.settlePoint(channel);
  }

  /**
   * Sends what the channel has after `scannedUpTo`: with a threshold only the newest N eligible
   * oplogs (DECISIONS D3 "Threshold"); older and ineligible ones are passed over and the point
   * moves past them once what was sent is acknowledged.
   */
  private async sendNew(state: DeviceState, channel: ChannelState): Promise<void> {
    if (channel.inflight.size > 0) return;
    if (channel.catchingUp) return this.sendNextOfCatchUp(state, channel);
    const limit = channel.config.persistent ? (channel.config.threshold ?? DEFAULT_THRESHOLD) : Number.POSITIVE_INFINITY;
    const backlog = (await this.oplogs.lastId(channel.ref)) - channel.scannedUpTo;
    if (backlog <= 0) return;
    if (backlog <= limit) {
      // The cut would pass nothing over: read forward a batch at a time instead of reading the whole backlog first.
      channel.catchingUp = true;
      return this.sendNextOfCatchUp(state, channel);
    }
    const chosen: Oplog[] = [];
    let highest = channel.scannedUpTo;
    let before = Number.MAX_SAFE_INTEGER;
    while (chosen.length < limit) {
      const page = await this.oplogs.newestBetween(channel.ref, channel.scannedUpTo, before, Math.min(1000, Math.max(100, limit)));
      if (page.length === 0) break;
      highest = Math.max(highest, page[0]!.id);
      for (const oplog of page) {
        if (chosen.length >= limit) break;
        if (this.eligible(state, oplog)) chosen.push(oplog);
      }
      before = page.at(-1)!.id;
    }
    if (highest === channel.scannedUpTo) return;
    chosen.reverse();
    // One batch per channel is in flight at a time; what the first batch leaves out goes after its ack.
    const [first = [], ...rest] = batchesOf(chosen, this.options);
    channel.scannedUpTo = rest.length > 0 ? first.at(-1)!.id : highest;
    channel.catchingUp = rest.length > 0;
    await this.sendOps(state, channel, first);
    await this.settlePoint(channel);
  }

  /**
   * The next batch of a catch-up whose newest-N cut was made, read forward from scannedUpTo one
   * batch at a time. Reading the newest N again after every ack made a 10,000-oplog catch-up read
   * its channel's oplogs 25 times over. Oplogs arriving meanwhile are read on the way; the cut is
   * made again once the catch-up ends.
   */
  private async sendNextOfCatchUp(state: DeviceState, channel: ChannelState): Promise<void> {
    for (;;) {
      const page = await this.oplogs.after(channel.ref, channel.scannedUpTo, this.options.batchMaxOps);
      const eligible = page.filter((oplog) => this.eligible(state, oplog));
      const [first = []] = batchesOf(eligible, this.options);
      if (first.length < eligible.length) channel.scannedUpTo = first.at(-1)!.id;
      else {
        channel.scannedUpTo = page.at(-1)?.id ?? channel.scannedUpTo;
        if (page.length < this.options.batchMaxOps) channel.catchingUp = false;
        // A full page with nothing to send: no ack will come to read on, so read on now.
        if (first.length === 0 && channel.catchingUp) continue;
      }
      await this.sendOps(state, channel, first);
      await this.settlePoint(channel);
      return;
    }
  }

  /** Filters of mss.md §2.7 and the non-persistent rule of DECISIONS D3, for this device now. */
  private eligible(state: DeviceState, oplog: Oplog): boolean {
    const { connection } = state;
    if (!isLive(oplog, this.clock.now())) return false;
    if (!oplog.persistent && (oplog.targets === null || !oplog.targets.includes(connection.token) || connection.since > oplog.createdAt)) return false;
    const segmentId = oplog.pushObject === 'USER' ? connection.userId : connection.token;
    return passesFilters(oplog.filters, { platform: connection.platform, appVersion: connection.appVersion, segmentId });
  }

  // --- sending, acks, retries ----------------------------------------------------------------

  /**
   * Sends one batch. Only one batch per channel is in flight at a time, so a frame lost on the way
   * (a node or NATS outage) can never be covered by the ack of a later one; the ack sends the next.
   */
  private async sendOps(state: DeviceState, channel: ChannelState, group: Oplog[]): Promise<void> {
    if (group.length === 0) return;
    const now = this.clock.now();
    const first = group[0]!;
    const last = group.at(-1)!;
    const batch: SentBatch = { id: DeliveryRepository.batchId(channel.ref, state.connection.token, first.id), firstId: first.id, lastId: last.id, ops: group.map(wireOp), attempts: 1 };
    try {
      await this.deliveries.insert({
        _id: batch.id,
        instanceId: channel.ref.instanceId,
        token: state.connection.token,
        userId: state.connection.userId,
        bizType: channel.ref.bizType,
        key: channel.ref.key,
        firstId: batch.firstId,
        lastId: batch.lastId,
        ids: group.map((oplog) => oplog.id),
        attempts: 1,
        status: 'PENDING',
        firstSentAt: now,
        lastSentAt: now,
      });
    } catch (error) {
      if (!(error instanceof DuplicateKeyError)) throw error;
    }
    channel.inflight.set(batch.firstId, batch);
    await this.write(state, channel, batch);
    this.schedule(state, channel);
  }

  private async write(state: DeviceState, channel: ChannelState, batch: SentBatch): Promise<void> {
    const frame = encodeFrame(createFrame('syncData', { bizType: channel.ref.bizType, key: channel.ref.key, op: batch.ops }));
    try {
      await this.sender.sendToNode(state.connection.instanceId, state.connection.node, [state.connection.token], frame);
    } catch (error) {
      // Counted as an attempt all the same: the ack timer re-sends it.
      this.logger.warn({ err: error, node: state.connection.node }, 'publishing a sync frame failed; the ack timer re-sends it');
    }
  }

  private async ack(work: Extract<DeviceWork, { type: 'ack' }>): Promise<void> {
    const state = this.devices.get(work.token) ?? (await this.rebuild(work.instanceId, work.token));
    if (!state) return;
    const config = await this.configs.onlineConfig(state.connection, work.bizType);
    const channel = config ? this.channelFor(state, config) : null;
    if (!channel || channel.ref.key !== work.key) return;
    if (!channel.loaded) await this.load(state, channel);
    const acked: string[] = [];
    for (const [firstId, batch] of channel.inflight) {
      if (batch.lastId <= work.oplogId) {
        acked.push(batch.id);
        channel.inflight.delete(firstId);
      }
    }
    await this.deliveries.settle(acked, 'ACKED');
    channel.scannedUpTo = Math.max(channel.scannedUpTo, work.oplogId);
    await this.raisePoint(channel, work.oplogId);
    await this.settlePoint(channel);
    if (channel.inflight.size === 0) {
      this.clearTimer(channel);
      channel.backoffMs = this.options.ackTimeoutMs;
      if (await this.deliverable(state, channel)) await this.sendNew(state, channel);
    } else this.schedule(state, channel);
  }

  /** Re-sends every unacknowledged batch; one sent `maxSends` times is DROPPED and the point moves past it. */
  private async resendInflight(state: DeviceState, channel: ChannelState): Promise<void> {
    if (channel.inflight.size === 0) return;
    const dropped: string[] = [];
    const resent: string[] = [];
    for (const [firstId, batch] of channel.inflight) {
      if (batch.attempts >= this.options.maxSends || batch.ops.length === 0) {
        dropped.push(batch.id);
        channel.inflight.delete(firstId);
        continue;
      }
      batch.attempts++;
      resent.push(batch.id);
      await this.write(state, channel, batch);
    }
    const now = this.clock.now();
    await this.deliveries.resent(resent, now);
    await this.deliveries.settle(dropped, 'DROPPED');
    await this.settlePoint(channel);
    this.schedule(state, channel);
  }

  private async retry(state: DeviceState, channel: ChannelState): Promise<void> {
    if (this.devices.get(state.connection.token) !== state || state.channels.get(channel.ref.bizType) !== channel) return;
    if (channel.holder === USER_POINT_HOLDER && (await this.supersededForUser(state, channel))) return;
    channel.backoffMs = Math.min(channel.backoffMs * 2, this.options.maxAckTimeoutMs);
    await this.resendInflight(state, channel);
  }

  /** Single-device data follows the user's most recently connected device: an older one gives its batches up. */
  private async supersededForUser(state: DeviceState, channel: ChannelState): Promise<boolean> {
    const latest = mostRecentDevice(await this.connected.entriesOfUser(state.connection.instanceId, channel.ref.key));
    if (latest === null || latest === state.connection.token) return false;
    await this.deliveries.discard([...channel.inflight.values()].map((batch) => batch.id));
    this.clearTimer(channel);
    state.channels.delete(channel.ref.bizType);
    return true;
  }

  /** The point may pass everything below the oldest unacknowledged batch (all of `scannedUpTo` once none is left). */
  private async settlePoint(channel: ChannelState): Promise<void> {
    const oldest = channel.inflight.keys().next();
    await this.raisePoint(channel, oldest.done ? channel.scannedUpTo : oldest.value - 1);
  }

  private async raisePoint(channel: ChannelState, point: number): Promise<void> {
    if (point <= channel.point) return;
    await this.points.raise(channel.ref, channel.holder, point, this.clock.now());
    channel.point = point;
  }

  private schedule(state: DeviceState, channel: ChannelState): void {
    if (channel.timer || channel.inflight.size === 0 || this.stopped) return;
    channel.timer = setTimeout(() => {
      channel.timer = undefined;
      this.withDevice(state.connection.token, () => this.retry(state, channel)).catch((error: unknown) => {
        this.logger.warn({ err: error, bizType: channel.ref.bizType }, 're-sending sync data failed; trying again after the next timeout');
        this.schedule(state, channel);
      });
    }, channel.backoffMs);
    channel.timer.unref?.();
  }

  private clearTimer(channel: ChannelState): void {
    if (channel.timer) clearTimeout(channel.timer);
    channel.timer = undefined;
  }

  /** Runs `task` after every earlier task of the same device. */
  private withDevice(token: string, task: () => Promise<void>): Promise<void> {
    const previous = this.locks.get(token) ?? Promise.resolve();
    const run = previous.then(task, task);
    const tail = run.catch(() => undefined);
    this.locks.set(token, tail);
    void tail.then(() => {
      if (this.locks.get(token) === tail) this.locks.delete(token);
    });
    return run;
  }
}

function wireOp(oplog: Oplog): { id: number; pl: string; isB: boolean } {
  return { id: oplog.id, pl: oplog.payload, isB: oplog.binary };
}

/** Splits oplogs (in id order) into frames of at most `batchMaxOps` oplogs and about `batchMaxBytes` of payload. */
function batchesOf(oplogs: Oplog[], options: DeliveryOptions): Oplog[][] {
  const batches: Oplog[][] = [];
  let current: Oplog[] = [];
  let bytes = 0;
  for (const oplog of oplogs) {
    const size = Buffer.byteLength(oplog.payload, 'utf8') + 16;
    if (current.length > 0 && (current.length >= options.batchMaxOps || bytes + size > options.batchMaxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(oplog);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

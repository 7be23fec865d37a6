import { DependencyUnavailableError, DuplicateKeyError, type BatchingProducer } from '@pushsync/platform';
import type { OperationRecordRepository } from '@pushsync/tenancy';
import { channelId, channelKindOf, GLOBAL_KEY } from '../channel';
import type { ConfigDirectory } from '../delivery/config-directory';
import { connectedTargetsOf, type ConnectedDevices } from '../delivery/connected-devices';
import { NON_PERSISTENT_TTL_MS, encodeOrderRecord } from '../sequencer';
import { SYNC_ORDERS_TOPIC } from '../topics';
import { BizNotOnlineError, NotSupportGlobalError } from './acceptance.errors';
import { validateSyncData, type SyncDataRequest, type SyncScope } from './sync-data';
import { orderKey, type SyncOrder } from './sync-order';
import type { SyncOrderRepository } from './sync-order.repository';

export type AcceptOutcome = 'SUCCESS' | 'DUPLICATED_BIZ_ID' | 'NOT_ONLINE';

export interface TenantAppRef {
  appId: string;
  workspaceId: string;
  instanceId: string;
  retentionDays: number;
}

const DAY_MS = 86_400_000;

/**
 * The accept path of DECISIONS D3: rules in D3's order, then the order is inserted under its
 * idempotency key (durable before anything is answered) and produced to the orders topic.
 *
 * SUCCESS is answered only once the order's record is in the topic, behind every order of its
 * channel answered before it: that is what keeps a channel's oplogs in the order the tenant was
 * answered. So a produce that fails is an error (the order is stored; the relay produces it later),
 * and a repeated thirdMsgId whose order is stored but not sequenced yet (an earlier call that failed
 * after the insert, or whose sync-core died) is produced again before DUPLICATED_BIZ_ID is answered;
 * the sequencer skips the copy it does not need.
 */
export class OrderIntake {
  public constructor(
    private readonly orders: SyncOrderRepository,
    private readonly configs: ConfigDirectory,
    private readonly connected: ConnectedDevices,
    private readonly producer: BatchingProducer,
    private readonly operations: OperationRecordRepository,
    private readonly clock: { now(): number },
  ) {}

  public async accept(app: TenantAppRef, scope: SyncScope, request: SyncDataRequest, operator: { id: string; fromConsole: boolean }): Promise<AcceptOutcome> {
    const now = this.clock.now();
    const data = validateSyncData(scope, request, now);
    const config = await this.configs.onlineConfig(app, data.bizType);
    if (config === null) throw new BizNotOnlineError(data.bizType);
    if ((scope === 'GLOBAL') !== (config.pushRange === 'GLOBAL')) throw new NotSupportGlobalError(data.bizType, config.pushRange);
    const kind = channelKindOf(config);
    const key = scope === 'GLOBAL' ? GLOBAL_KEY : data.linkToken;
    const id = orderKey(app.instanceId, scope, data.bizType, data.linkToken, data.thirdMsgId);

    let targets: string[] | null = null;
    if (!kind.persistent) {
      const existing = await this.orders.find(id);
      if (existing) return this.duplicateOf(existing, now);
      targets = await connectedTargetsOf(this.connected, app.instanceId, { ...kind, key });
      if (targets.length === 0) return 'NOT_ONLINE';
    }
    const retentionEnd = now + app.retentionDays * DAY_MS;
    const order: SyncOrder = {
      _id: id,
      appId: app.appId,
      workspaceId: app.workspaceId,
      instanceId: app.instanceId,
      scope,
      bizType: data.bizType,
      key,
      thirdMsgId: data.thirdMsgId,
      payload: data.payload,
      binary: data.binary,
      filters: { ...data.filters },
      validTimeStart: data.validTimeStart,
      validTimeEnd: data.validTimeEnd,
      persistent: kind.persistent,
      pushObject: kind.pushObject,
      multiDevice: kind.multiDevice,
      targets,
      createdAt: now,
      dueAt: Math.max(now, data.validTimeStart ?? now),
      // An order held for its validTimeStart was never produced: the relay takes it as soon as it is due.
      producedAt: data.validTimeStart !== null && data.validTimeStart > now ? 0 : now,
      expireAt: kind.persistent ? Math.min(retentionEnd, data.validTimeEnd ?? retentionEnd) : now + NON_PERSISTENT_TTL_MS,
      state: 'ACCEPTED',
      oplogId: null,
    };
    try {
      await this.orders.insert(order);
    } catch (error) {
      if (!(error instanceof DuplicateKeyError)) throw error;
      const existing = await this.orders.find(id);
      return existing === null ? 'DUPLICATED_BIZ_ID' : this.duplicateOf(existing, now);
    }
    if (operator.fromConsole) await this.recordNewSync(app, operator.id, order, now);
    if (order.dueAt <= now) await this.produce(order);
    return 'SUCCESS';
  }

  private async duplicateOf(existing: SyncOrder, now: number): Promise<AcceptOutcome> {
    if (existing.state === 'ACCEPTED' && existing.dueAt <= now) await this.produce(existing);
    return 'DUPLICATED_BIZ_ID';
  }

  private async produce(order: SyncOrder): Promise<void> {
    try {
      await this.producer.send(SYNC_ORDERS_TOPIC.name, { key: channelId(order), value: encodeOrderRecord(order) });
    } catch (error) {
      throw new DependencyUnavailableError('stream', `order ${order.thirdMsgId} is stored but could not be queued for sequencing (${error instanceof Error ? error.message : String(error)}); send it again with the same thirdMsgId`, { cause: error });
    }
  }

  private recordNewSync(app: TenantAppRef, operator: string, order: SyncOrder, now: number): Promise<void> {
    return this.operations.record({
      instanceId: app.instanceId,
      operator,
      action: 'NEW_SYNC',
      at: now,
      details: {
        bizType: order.bizType,
        linkToken: order.scope === 'GLOBAL' ? null : order.key,
        payload: order.payload,
        binary: order.binary,
        thirdMsgId: order.thirdMsgId,
        platforms: order.filters.platforms,
        appMinVersion: order.filters.appMinVersion,
        appMaxVersion: order.filters.appMaxVersion,
        validTimeEnd: order.validTimeEnd,
      },
    });
  }
}

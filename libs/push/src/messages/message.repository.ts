import { BatchedInserts, type Collection, type Filter, type Store } from '@pushsync/platform';
import type { PushType } from '../push-request';
import { PUSH_STATUS, type PushStatus } from '../receipts/push-status';
import { deliveryIdOf, type PushDelivery, type PushMessage } from './push-message';

/** Messages and their per-device deliveries on the Store port. Every filter names the app (DECISIONS D1). */
export class MessageRepository {
  /** A push's messages and deliveries, and those of pushes accepted meanwhile, share their writes. */
  private readonly messageInserts: BatchedInserts<PushMessage>;
  private readonly deliveryInserts: BatchedInserts<PushDelivery>;

  private constructor(
    private readonly messages: Collection<PushMessage>,
    private readonly deliveries: Collection<PushDelivery>,
  ) {
    this.messageInserts = new BatchedInserts(messages);
    this.deliveryInserts = new BatchedInserts(deliveries);
  }

  public static async open(store: Store): Promise<MessageRepository> {
    const [messages, deliveries] = await Promise.all([
      store.collection<PushMessage>({
        name: 'push_messages',
        indexes: [
          // console message list (30 days, newest first) and search by target + customer message id; RevokePushMessage.
          { name: 'app_created', fields: { workspaceId: 1, appId: 1, createdAt: -1 } },
          { name: 'app_target_key', fields: { workspaceId: 1, appId: 1, targetId: 1, msgKey: 1 } },
          // RevokePushTask and the task's messages.
          { name: 'app_task', fields: { workspaceId: 1, appId: 1, taskId: 1 } },
          // resend on bind: a user's messages waiting without a binding (status 1).
          { name: 'app_status_target', fields: { workspaceId: 1, appId: 1, status: 1, targetId: 1 } },
          // the expiry sweep.
          { name: 'status_expire', fields: { status: 1, expireAt: 1 } },
        ],
      }),
      store.collection<PushDelivery>({
        name: 'push_deliveries',
        indexes: [
          // resend on connect: what a device is still owed.
          { name: 'app_token_status', fields: { workspaceId: 1, appId: 1, token: 1, status: 1 } },
          { name: 'message', fields: { messageId: 1 } },
          // resend of live iOS broadcasts on connect: whether a device of the user acknowledged them.
          { name: 'user_message', fields: { userId: 1, messageId: 1 } },
          { name: 'status_expire', fields: { status: 1, expireAt: 1 } },
        ],
      }),
    ]);
    return new MessageRepository(messages, deliveries);
  }

  public insertMessage(message: PushMessage): Promise<void> {
    return this.messageInserts.insert(message);
  }

  /** Throws DuplicateKeyError when the device already has this message (once per device). */
  public insertDelivery(delivery: PushDelivery): Promise<void> {
    return this.deliveryInserts.insert(delivery);
  }

  public findMessage(appId: string, workspaceId: string, id: string): Promise<PushMessage | null> {
    return this.messages.findOne({ _id: id, appId, workspaceId });
  }

  public findMessages(ids: string[]): Promise<PushMessage[]> {
    return ids.length === 0 ? Promise.resolve([]) : this.messages.find({ _id: { $in: ids } });
  }

  public findDeliveries(ids: string[]): Promise<PushDelivery[]> {
    return ids.length === 0 ? Promise.resolve([]) : this.deliveries.find({ _id: { $in: ids } });
  }

  /**
   * The broadcasts among `messageIds` the device acknowledged, or a device of `userId` did: one
   * query whatever the user's devices. Only iOS broadcasts' acknowledgements name the user.
   */
  public async acknowledgedBroadcasts(appId: string, workspaceId: string, messageIds: string[], token: string, userId: string | null): Promise<Set<string>> {
    if (messageIds.length === 0) return new Set();
    const byDevice: Filter = { _id: { $in: messageIds.map((id) => deliveryIdOf(id, token)) } };
    const filter = userId === null ? byDevice : { $or: [byDevice, { workspaceId, appId, userId, messageId: { $in: messageIds } }] };
    return new Set((await this.deliveries.find(filter)).map((delivery) => delivery.messageId));
  }

  /** Deliveries a device is still owed (status 0, not expired), oldest first. */
  public owedTo(appId: string, workspaceId: string, token: string, now: number, limit: number): Promise<PushDelivery[]> {
    return this.deliveries.find({ workspaceId, appId, token, status: PUSH_STATUS.DEVICE_NOT_ONLINE, expireAt: { $gt: now } }, { sort: { createdAt: 1 }, limit });
  }

  /** A user's messages waiting for a binding (status 1), still valid. */
  public waitingForBinding(appId: string, workspaceId: string, userId: string, now: number, limit: number): Promise<PushMessage[]> {
    return this.messages.find({ workspaceId, appId, status: PUSH_STATUS.NO_BIND_INFO, targetId: userId, deliveryType: 3, expireAt: { $gt: now } }, { sort: { createdAt: 1 }, limit });
  }

  public deliveriesOf(messageId: string): Promise<PushDelivery[]> {
    return this.deliveries.find({ messageId });
  }

  /** Moves a delivery from one status to another; false when it was not in `from` (someone else moved it first). */
  public async moveDelivery(id: string, from: PushStatus[], to: PushStatus, now: number, fields: Partial<Pick<PushDelivery, 'channel' | 'vendorCode'>> = {}): Promise<boolean> {
    const result = await this.deliveries.updateOne({ _id: id, status: { $in: from } }, { $set: { status: to, updatedAt: now, ...fields } });
    return result.modified === 1;
  }

  public async countSend(id: string, channel: string, now: number): Promise<void> {
    await this.deliveries.updateOne({ _id: id }, { $inc: { sends: 1 }, $set: { channel, updatedAt: now } });
  }

  public async moveMessage(id: string, from: PushStatus[], to: PushStatus, now: number): Promise<boolean> {
    const result = await this.messages.updateOne({ _id: id, status: { $in: from } }, { $set: { status: to, updatedAt: now } });
    return result.modified === 1;
  }

  public messagesOfTask(appId: string, workspaceId: string, taskId: string): Promise<PushMessage[]> {
    return this.messages.find({ workspaceId, appId, taskId });
  }

  /** RevokePushMessage: a simple or template message by target and customer message id, created since `since`. */
  public findByTargetAndKey(appId: string, workspaceId: string, targetId: string, msgKey: string, since: number): Promise<PushMessage[]> {
    return this.messages.find({ workspaceId, appId, targetId, msgKey, createdAt: { $gte: since } });
  }

  /** Deliveries past their validity still waiting: the expiry sweep moves them to status 4. */
  public expiredDeliveries(now: number, limit: number): Promise<PushDelivery[]> {
    return this.deliveries.find({ status: PUSH_STATUS.DEVICE_NOT_ONLINE, expireAt: { $lte: now } }, { limit });
  }

  /** Messages past their validity that never reached a device (status 0 or 1). */
  public expiredMessages(now: number, limit: number): Promise<PushMessage[]> {
    return this.messages.find({ status: { $in: [PUSH_STATUS.DEVICE_NOT_ONLINE, PUSH_STATUS.NO_BIND_INFO] }, expireAt: { $lte: now } }, { limit });
  }

  /** The console message list (mps.md §6.1.5): messages of `types`, newest first, optionally by target and customer message id. */
  public page(appId: string, workspaceId: string, filter: { since: number; types: PushType[]; targetId?: string; msgKey?: string }, skip: number, limit: number): Promise<PushMessage[]> {
    return this.messages.find(this.listFilter(appId, workspaceId, filter), { sort: { createdAt: -1, _id: -1 }, skip, limit });
  }

  public countPage(appId: string, workspaceId: string, filter: { since: number; types: PushType[]; targetId?: string; msgKey?: string }): Promise<number> {
    return this.messages.count(this.listFilter(appId, workspaceId, filter));
  }

  public async deleteOlderThan(before: number): Promise<void> {
    await this.deliveries.deleteMany({ createdAt: { $lt: before } });
    await this.messages.deleteMany({ createdAt: { $lt: before } });
  }

  private listFilter(appId: string, workspaceId: string, filter: { since: number; types: PushType[]; targetId?: string; msgKey?: string }): Filter {
    return {
      workspaceId,
      appId,
      createdAt: { $gte: filter.since },
      type: { $in: filter.types },
      ...(filter.targetId ? { targetId: filter.targetId } : {}),
      ...(filter.msgKey ? { msgKey: filter.msgKey } : {}),
    };
  }
}

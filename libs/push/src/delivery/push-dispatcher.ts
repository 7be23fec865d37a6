import type { CometDelivery, Presence } from '@pushsync/comet';
import type { Device, DeviceRepository } from '@pushsync/devices';
import type { RecordBatch, Stream } from '@pushsync/platform';
import type { PushDelivery, PushMessage } from '../messages/push-message';
import type { MessageRepository } from '../messages/message.repository';
import { PUSH_STATUS } from '../receipts/push-status';
import type { TaskRepository } from '../tasks/task.repository';
import { decodeRecord, encodeRecord, PUSH_VENDOR_TOPIC, type DispatchRecord, type VendorRecord } from '../topics';
import { pushFrameOf } from './push-frame';
import type { PushOutcomes } from './push-outcomes';
import { routeOf } from './routing';

/** The vendor channels an app has configured and enabled (DECISIONS D4 routing). */
export type EnabledVendors = (appId: string, workspaceId: string) => Promise<ReadonlySet<string>>;

const LOOKUP_CONCURRENCY = 64;

/**
 * Routes each owed delivery of the dispatch topic (DECISIONS D4): a connected device on the
 * self-built channel gets the frame on its node now; a vendor route is handed to the vendor
 * topic; a device not connected keeps status 0 and is served when it connects (PushDeviceWork).
 * The status moves to 2 only with the client's ack.
 */
export class PushDispatcher {
  public constructor(
    private readonly messages: MessageRepository,
    private readonly tasks: TaskRepository,
    private readonly devices: DeviceRepository,
    private readonly presence: Presence,
    private readonly comet: CometDelivery,
    private readonly stream: Stream,
    private readonly enabledVendors: EnabledVendors,
    private readonly outcomes: PushOutcomes,
    private readonly clock: { now(): number },
  ) {}

  public async handleBatch(batch: RecordBatch): Promise<void> {
    const records = batch.records.map((record) => decodeRecord<DispatchRecord>(record.value)).filter((record): record is DispatchRecord => typeof record?.messageId === 'string' && typeof record.token === 'string');
    const now = this.clock.now();
    const deliveries = (await this.messages.findDeliveries([...new Set(records.map((record) => `${record.messageId}:${record.token}`))])).filter(
      (delivery) => delivery.status === PUSH_STATUS.DEVICE_NOT_ONLINE && delivery.expireAt > now,
    );
    await this.send(deliveries);
  }

  /** Sends owed deliveries to the devices connected now (or to their vendor); shared with the resend on connect and bind. */
  public async send(deliveries: PushDelivery[], knownNode?: { token: string; node: string }): Promise<void> {
    if (deliveries.length === 0) return;
    const messages = new Map((await this.messages.findMessages([...new Set(deliveries.map((delivery) => delivery.messageId))])).map((message) => [message._id, message]));
    for (let start = 0; start < deliveries.length; start += LOOKUP_CONCURRENCY) {
      await Promise.all(
        deliveries.slice(start, start + LOOKUP_CONCURRENCY).map(async (delivery) => {
          const message = messages.get(delivery.messageId);
          if (message === undefined || message.status === PUSH_STATUS.REVOKED) return;
          const device = await this.devices.find(delivery.workspaceId, delivery.appId, delivery.token);
          if (device !== null) await this.sendOne(message, delivery, device, knownNode?.token === delivery.token ? knownNode.node : undefined);
        }),
      );
    }
  }

  private async sendOne(message: PushMessage, delivery: PushDelivery, device: Device, knownNode: string | undefined): Promise<void> {
    const now = this.clock.now();
    const route = routeOf(device, message.message, await this.enabledVendors(message.appId, message.workspaceId));
    if (route.via === 'vendor') {
      if (delivery.channel === route.channel) return; // already handed over; the vendor result moves it
      const record: VendorRecord = { appId: message.appId, workspaceId: message.workspaceId, messageId: message._id, token: delivery.token, vendor: route.vendor, vendorToken: route.vendorToken };
      await this.stream.produce(PUSH_VENDOR_TOPIC.name, [{ key: delivery.token, value: encodeRecord(record) }]);
      await this.messages.countSend(delivery._id, route.channel, now);
      await this.firstSend(message, delivery, route.channel);
      return;
    }
    const instanceId = `${message.workspaceId}_${message.appId}`;
    const node = knownNode ?? (await this.presence.get(instanceId, delivery.token))?.node;
    if (node === undefined) return;
    await this.comet.sendToNode(instanceId, node, [delivery.token], pushFrameOf(message, route.channel), message._id);
    await this.messages.countSend(delivery._id, route.channel, now);
    if (delivery.sends === 0) await this.firstSend(message, delivery, route.channel);
  }

  private async firstSend(message: PushMessage, delivery: PushDelivery, channel: string): Promise<void> {
    await this.tasks.count(message.taskId, { pushed: 1 });
    await this.outcomes.pushed(message, { token: delivery.token, channel });
  }
}

import type { TenantAppRepository } from '@pushsync/tenancy';
import type { PushOutcomes } from '../delivery/push-outcomes';
import type { PushMessage } from '../messages/push-message';
import type { PushStatus } from './push-status';
import { isReceiptStatus, type ReceiptOsType } from './receipt';
import type { Receipts } from './receipt-outbox';

const OS_TYPES: Record<string, ReceiptOsType> = { ANDROID: 'android', IOS: 'ios', HARMONY: 'harmony', WEB: 'web' };
/** The platform a device target names when no device is concerned (a message-level final state). */
const OS_OF_DELIVERY_TYPE: Record<number, ReceiptOsType> = { 1: 'android', 2: 'ios', 5: 'ios', 6: 'ios', 7: 'harmony', 8: 'web' };

/** Receipts as push outcomes (mps.md §3.19, DECISIONS D4): queued on Acked per device and on the final states of a message. */
export class ReceiptOutcomes implements PushOutcomes {
  public constructor(
    private readonly receipts: Receipts,
    private readonly apps: TenantAppRepository,
  ) {}

  public pushed(): Promise<void> {
    return Promise.resolve();
  }

  public reported(): Promise<void> {
    return Promise.resolve();
  }

  public async settled(message: PushMessage, token: string, status: PushStatus, platform: string | null): Promise<void> {
    if (!isReceiptStatus(status)) return;
    const app = await this.apps.find(message.workspaceId, message.appId);
    if (app === null) return;
    const deviceTarget = message.deliveryType !== 3 && message.type !== 'BROADCAST';
    await this.receipts.enqueue(app, {
      msgId: message.msgKey,
      status,
      targetId: message.type === 'BROADCAST' ? token : message.targetId,
      deviceToken: token !== '' ? token : deviceTarget ? message.targetId : '',
      osType: (platform !== null ? OS_TYPES[platform] : undefined) ?? OS_OF_DELIVERY_TYPE[message.deliveryType] ?? 'android',
    });
  }
}

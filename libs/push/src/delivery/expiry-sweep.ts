import type { MessageRepository } from '../messages/message.repository';
import { PUSH_STATUS } from '../receipts/push-status';
import type { PushOutcomes } from './push-outcomes';

const SWEEP_LIMIT = 500;

/**
 * Validity (mps.md §3.22): deliveries still owed when their message expires are never sent
 * again (status 4), and a message that reached no device by then is Expired (status 4, with its
 * receipt). Run periodically; each pass moves at most SWEEP_LIMIT of each.
 */
export class ExpirySweep {
  public constructor(
    private readonly messages: MessageRepository,
    private readonly outcomes: PushOutcomes,
    private readonly clock: { now(): number },
  ) {}

  public async sweep(): Promise<void> {
    const now = this.clock.now();
    for (const delivery of await this.messages.expiredDeliveries(now, SWEEP_LIMIT)) {
      await this.messages.moveDelivery(delivery._id, [PUSH_STATUS.DEVICE_NOT_ONLINE], PUSH_STATUS.EXPIRED, now);
    }
    for (const message of await this.messages.expiredMessages(now, SWEEP_LIMIT)) {
      if (await this.messages.moveMessage(message._id, [PUSH_STATUS.DEVICE_NOT_ONLINE, PUSH_STATUS.NO_BIND_INFO], PUSH_STATUS.EXPIRED, now)) {
        await this.outcomes.settled(message, '', PUSH_STATUS.EXPIRED, null);
      }
    }
  }
}

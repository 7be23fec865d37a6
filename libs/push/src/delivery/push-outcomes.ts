import type { PushDelivery, PushMessage } from '../messages/push-message';
import type { PushStatus } from '../receipts/push-status';

/**
 * What becomes of messages, for receipts and statistics: called once per transition (the
 * repositories move statuses with conditional updates, so a replayed event finds nothing to move).
 */
export interface PushOutcomes {
  /** Written to a connection or handed to a vendor for the first time. */
  pushed(message: PushMessage, delivery: Pick<PushDelivery, 'token' | 'channel'>): Promise<void>;
  /** Status 2 on one device, or a final state 3/4/5 of a message (token '' when no device is concerned). */
  settled(message: PushMessage, token: string, status: PushStatus, platform: string | null): Promise<void>;
  /** The client reported the message opened or ignored. */
  reported(message: PushMessage, token: string, kind: 'OPENED' | 'IGNORED'): Promise<void>;
}

/** Tells every listener, in order; one failing does not keep the others from hearing. The first failure is rethrown after. */
export function allOutcomes(listeners: PushOutcomes[]): PushOutcomes {
  const each = async (call: (listener: PushOutcomes) => Promise<void>) => {
    const results = await Promise.allSettled(listeners.map(call));
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
  };
  return {
    pushed: (message, delivery) => each((listener) => listener.pushed(message, delivery)),
    settled: (message, token, status, platform) => each((listener) => listener.settled(message, token, status, platform)),
    reported: (message, token, kind) => each((listener) => listener.reported(message, token, kind)),
  };
}

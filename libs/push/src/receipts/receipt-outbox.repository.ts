import type { Collection, Store, StoredDocument } from '@pushsync/platform';

/** A receipt waiting to be delivered; delivered, dropped and abandoned receipts are deleted. */
export interface QueuedReceipt extends StoredDocument {
  _id: string;
  instanceId: string;
  workspaceId: string;
  appId: string;
  msgId: string;
  /** The serialised body: the exact text signed and sent at every attempt. */
  body: string;
  enqueuedAt: number;
  /** When the next attempt may start; while an attempt runs, when its lease ends. */
  nextAttemptAt: number;
  /** Set by the sender that holds the lease; only that sender may record the attempt's outcome. */
  claimToken: string | null;
  attempts: number;
  firstAttemptAt: number | null;
  lastError: string | null;
}

/** Per-app figures of the outbox (one document per app). */
export interface ReceiptCounters extends StoredDocument {
  /** The instance id. */
  _id: string;
  /**
   * Queued receipts as counted by the writers. It only gates the exact count of the backlog bound:
   * writers add before inserting and subtract after deleting, so a crash between the two leaves
   * it too high, never too low; the exact count at the bound sets it right.
   */
  pending: number;
  /** Oldest receipts dropped because the backlog was full. */
  dropped: number;
  /** Receipts given up: 24 h of failed attempts, receipts turned off, or the app deleted. */
  abandoned: number;
  lastAbandoned?: { msgId: string; at: number; reason: string };
}

export interface AttemptFailure {
  nextAttemptAt: number;
  firstAttemptAt: number;
  error: string;
}

/** The receipt outbox on the Store port: single-document conditional updates only (FerretDB 1.x, SQLite). */
export class ReceiptOutboxRepository {
  private constructor(
    private readonly receipts: Collection<QueuedReceipt>,
    private readonly counters: Collection<ReceiptCounters>,
  ) {}

  public static async open(store: Store): Promise<ReceiptOutboxRepository> {
    const receipts = await store.collection<QueuedReceipt>({
      name: 'push_receipts',
      indexes: [
        // claimDue: the receipts whose next attempt (or expired lease) is due, earliest first.
        { name: 'due', fields: { nextAttemptAt: 1 } },
        // The backlog bound: count an app's receipts and find its oldest.
        { name: 'app_age', fields: { instanceId: 1, enqueuedAt: 1 } },
      ],
    });
    return new ReceiptOutboxRepository(receipts, await store.collection<ReceiptCounters>({ name: 'push_receipt_counters' }));
  }

  /** Adds one to the app's pending counter ahead of an insert; returns the counter as it now stands. */
  public async reservePending(instanceId: string): Promise<number> {
    const counters = await this.counters.findOneAndUpdate({ _id: instanceId }, { $inc: { pending: 1 }, $setOnInsert: { dropped: 0, abandoned: 0 } }, { upsert: true });
    return counters?.pending ?? 1;
  }

  public async adjustPending(instanceId: string, delta: number): Promise<void> {
    if (delta !== 0) await this.counters.updateOne({ _id: instanceId }, { $inc: { pending: delta } });
  }

  public insert(receipt: QueuedReceipt): Promise<void> {
    return this.receipts.insertOne(receipt);
  }

  public countQueued(instanceId: string): Promise<number> {
    return this.receipts.count({ instanceId });
  }

  public oldest(instanceId: string, limit: number): Promise<QueuedReceipt[]> {
    return this.receipts.find({ instanceId }, { sort: { enqueuedAt: 1, _id: 1 }, limit });
  }

  /** Deletes a receipt to keep the backlog bound; false when it was already gone (delivered, or dropped by another writer). */
  public async drop(receipt: QueuedReceipt): Promise<boolean> {
    if ((await this.receipts.deleteOne({ _id: receipt._id })) === 0) return false;
    await this.counters.updateOne({ _id: receipt.instanceId }, { $inc: { pending: -1, dropped: 1 } });
    return true;
  }

  /**
   * Leases the earliest due receipt, skipping the given apps. The lease is the conditional update
   * of one document: two senders can never hold the same receipt, and a crashed sender's lease
   * simply becomes due again at `leaseUntil`.
   */
  public claimDue(now: number, leaseUntil: number, claimToken: string, skipApps: string[]): Promise<QueuedReceipt | null> {
    const due = { nextAttemptAt: { $lte: now } };
    return this.receipts.findOneAndUpdate(skipApps.length === 0 ? due : { ...due, instanceId: { $nin: skipApps } }, { $set: { nextAttemptAt: leaseUntil, claimToken } }, { sort: { nextAttemptAt: 1 } });
  }

  /** False when the lease was lost (it expired and another sender took the receipt) or the receipt was dropped. */
  public async delivered(receipt: QueuedReceipt): Promise<boolean> {
    if ((await this.receipts.deleteOne({ _id: receipt._id, claimToken: receipt.claimToken })) === 0) return false;
    await this.adjustPending(receipt.instanceId, -1);
    return true;
  }

  public async failed(receipt: QueuedReceipt, failure: AttemptFailure): Promise<void> {
    await this.receipts.updateOne(
      { _id: receipt._id, claimToken: receipt.claimToken },
      { $set: { nextAttemptAt: failure.nextAttemptAt, firstAttemptAt: failure.firstAttemptAt, lastError: failure.error, claimToken: null }, $inc: { attempts: 1 } },
    );
  }

  public async abandon(receipt: QueuedReceipt, at: number, reason: string): Promise<boolean> {
    if ((await this.receipts.deleteOne({ _id: receipt._id, claimToken: receipt.claimToken })) === 0) return false;
    await this.counters.updateOne({ _id: receipt.instanceId }, { $inc: { pending: -1, abandoned: 1 }, $set: { lastAbandoned: { msgId: receipt.msgId, at, reason } } });
    return true;
  }

  public countersOf(instanceId: string): Promise<ReceiptCounters | null> {
    return this.counters.findOne({ _id: instanceId });
  }
}

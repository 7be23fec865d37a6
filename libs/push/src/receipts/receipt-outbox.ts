import { randomUUID } from 'node:crypto';
import type { TenantApp } from '@pushsync/tenancy';
import { receiptBodyOf, serializeReceiptBody, type Receipt } from './receipt';
import type { QueuedReceipt, ReceiptOutboxRepository } from './receipt-outbox.repository';

/** Retry delays 1 s doubling to at most 10 min, given up 24 h after the first attempt (DECISIONS D4). */
export interface RetrySchedule {
  baseDelayMs: number;
  maxDelayMs: number;
  giveUpAfterMs: number;
}

export const RECEIPT_RETRY: RetrySchedule = { baseDelayMs: 1000, maxDelayMs: 10 * 60 * 1000, giveUpAfterMs: 24 * 3600 * 1000 };

/** At most this many undelivered receipts per app (DECISIONS D4); beyond, the oldest is dropped. */
export const RECEIPT_BACKLOG_LIMIT = 100_000;

/** The delay after the `failedAttempts`-th failed attempt (1 for the first). */
export function retryDelayMs(schedule: RetrySchedule, failedAttempts: number): number {
  // Capping the exponent keeps 2 ** n finite however many attempts a receipt has had.
  return Math.min(schedule.baseDelayMs * 2 ** Math.min(failedAttempts - 1, 40), schedule.maxDelayMs);
}

/**
 * When to try again after a failed attempt, or null to give up: no attempt starts later than
 * `giveUpAfterMs` after the first one.
 */
export function nextAttemptAfterFailure(schedule: RetrySchedule, firstAttemptAt: number, failedAttempts: number, now: number): number | null {
  const next = now + retryDelayMs(schedule, failedAttempts);
  return next - firstAttemptAt > schedule.giveUpAfterMs ? null : next;
}

export type EnqueueOutcome = 'queued' | 'receipts-off';

/**
 * Where the push status pipeline hands receipts over. The app is the record as the caller read
 * it: a receipt is queued only when the app's receipts are on at that moment. Queued receipts
 * survive restarts; a ReceiptSender delivers them.
 */
export class Receipts {
  private readonly outbox: ReceiptOutboxRepository;
  private readonly now: () => number;
  private readonly sender: { kick(): void } | null;
  private readonly backlogLimit: number;

  public constructor(options: {
    outbox: ReceiptOutboxRepository;
    now: () => number;
    /** This process's sender, woken at once after each enqueue instead of at its next poll. */
    sender?: { kick(): void };
    backlogLimit?: number;
  }) {
    this.outbox = options.outbox;
    this.now = options.now;
    this.sender = options.sender ?? null;
    this.backlogLimit = options.backlogLimit ?? RECEIPT_BACKLOG_LIMIT;
  }

  public async enqueue(app: TenantApp, receipt: Receipt): Promise<EnqueueOutcome> {
    if (app.receiptStatus !== true) return 'receipts-off';
    const now = this.now();
    const queued: QueuedReceipt = {
      _id: randomUUID(),
      instanceId: app._id,
      workspaceId: app.workspaceId,
      appId: app.appId,
      msgId: receipt.msgId,
      body: serializeReceiptBody(receiptBodyOf(receipt)),
      enqueuedAt: now,
      nextAttemptAt: now,
      claimToken: null,
      attempts: 0,
      firstAttemptAt: null,
      lastError: null,
    };
    const pending = await this.outbox.reservePending(app._id);
    if (pending > this.backlogLimit) await this.makeRoom(app._id, pending);
    try {
      await this.outbox.insert(queued);
    } catch (error) {
      await this.outbox.adjustPending(app._id, -1);
      throw error;
    }
    this.sender?.kick();
    return 'queued';
  }

  /**
   * The counter says the backlog is full; it may be high (see ReceiptCounters.pending), so the
   * backlog is counted exactly, the oldest receipts beyond the bound are dropped, and the counter
   * is set to what the count found.
   */
  private async makeRoom(instanceId: string, counted: number): Promise<void> {
    const queued = await this.outbox.countQueued(instanceId);
    // The receipt being enqueued is in `counted` but not yet in `queued`.
    const excess = queued + 1 - this.backlogLimit;
    let dropped = 0;
    if (excess > 0) {
      // A concurrent writer may drop some of the same receipts: look a little further than needed.
      for (const oldest of await this.outbox.oldest(instanceId, excess * 2)) {
        if (dropped === excess) break;
        if (await this.outbox.drop(oldest)) dropped += 1;
      }
    }
    // drop() already took each dropped receipt off the counter.
    await this.outbox.adjustPending(instanceId, queued + 1 - counted);
  }
}

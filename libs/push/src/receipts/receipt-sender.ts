import { randomUUID } from 'node:crypto';
import type { PlatformLogger } from '@pushsync/platform';
import type { PlatformKeys, TenantAppRepository } from '@pushsync/tenancy';
import { RECEIPT_CONTENT_TYPE, signedReceiptRequest } from './receipt';
import { nextAttemptAfterFailure, RECEIPT_RETRY, type RetrySchedule } from './receipt-outbox';
import type { QueuedReceipt, ReceiptOutboxRepository } from './receipt-outbox.repository';

export const RECEIPT_TIMEOUT_MS = 5000;

export interface ReceiptSenderOptions {
  outbox: ReceiptOutboxRepository;
  /** Read at every attempt: a changed URL or a switched-off app applies to receipts already queued. */
  apps: TenantAppRepository;
  platformKeys: PlatformKeys;
  logger: PlatformLogger;
  /** Epoch ms; default Date.now. Due times, leases and the 24 h give-up all read it. */
  now?: () => number;
  /** Default the global fetch. */
  fetch?: typeof fetch;
  /** Default RECEIPT_RETRY (1 s doubling to 10 min, given up after 24 h). */
  retry?: RetrySchedule;
  /** How often the outbox is polled for due receipts; default 500 ms. */
  pollIntervalMs?: number;
  /** Receipts POSTed at once by this sender; default 16. */
  concurrency?: number;
  /** Of those, at most this many to one app, so an app with a dead URL cannot hold every slot; default 4. */
  perAppConcurrency?: number;
  /** Per POST; default 5 s (DECISIONS D4). */
  timeoutMs?: number;
  /** How long a claimed receipt is ours; a crashed sender's receipts are retried after it. Default 60 s. */
  leaseMs?: number;
}

/**
 * Delivers queued receipts at least once (DECISIONS D4): claims due receipts under a lease, POSTs
 * each signed body, deletes it on HTTP 2xx and otherwise schedules the next attempt. Any number
 * of senders may share one store.
 */
export class ReceiptSender {
  private readonly outbox: ReceiptOutboxRepository;
  private readonly apps: TenantAppRepository;
  private readonly platformKeys: PlatformKeys;
  private readonly logger: PlatformLogger;
  private readonly now: () => number;
  private readonly fetch: typeof fetch;
  private readonly retry: RetrySchedule;
  private readonly pollIntervalMs: number;
  private readonly concurrency: number;
  private readonly perAppConcurrency: number;
  private readonly timeoutMs: number;
  private readonly leaseMs: number;

  private readonly attempts = new Set<Promise<void>>();
  private readonly attemptsPerApp = new Map<string, number>();
  private running = false;
  private pollTimer: NodeJS.Timeout | null = null;
  /** Claiming runs one pass at a time; a pass requested while one runs is queued once. */
  private claimChain: Promise<unknown> = Promise.resolve();
  private queuedClaim: Promise<number> | null = null;

  public constructor(options: ReceiptSenderOptions) {
    this.outbox = options.outbox;
    this.apps = options.apps;
    this.platformKeys = options.platformKeys;
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
    this.fetch = options.fetch ?? fetch;
    this.retry = options.retry ?? RECEIPT_RETRY;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.concurrency = options.concurrency ?? 16;
    this.perAppConcurrency = options.perAppConcurrency ?? 4;
    this.timeoutMs = options.timeoutMs ?? RECEIPT_TIMEOUT_MS;
    this.leaseMs = options.leaseMs ?? 60_000;
  }

  /** Polls the outbox until stop(). */
  public start(): void {
    if (this.running) return;
    this.running = true;
    this.schedulePoll();
  }

  /** Claims due receipts now rather than at the next poll (Receipts calls it after each enqueue). */
  public kick(): void {
    if (this.running) this.claimInBackground();
  }

  /** Stops polling and waits for the attempts under way. */
  public async stop(): Promise<void> {
    this.running = false;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
    await this.claimChain;
    await Promise.all(this.attempts);
  }

  /**
   * Attempts every receipt due at the current time and waits for the outcomes; returns how many
   * attempts it made. Tests drive the sender with it instead of start().
   */
  public async sendDue(): Promise<number> {
    let attempted = 0;
    for (;;) {
      const claimed = await this.claim();
      attempted += claimed;
      if (claimed === 0 && this.attempts.size === 0) return attempted;
      await Promise.all(this.attempts);
    }
  }

  private schedulePoll(): void {
    this.pollTimer = setTimeout(() => {
      this.claimInBackground();
      if (this.running) this.schedulePoll();
    }, this.pollIntervalMs);
    this.pollTimer.unref();
  }

  private claimInBackground(): void {
    this.claim().catch((error: unknown) => this.logger.warn({ err: error }, 'claiming due receipts failed; trying again at the next poll'));
  }

  private claim(): Promise<number> {
    if (this.queuedClaim) return this.queuedClaim;
    const pass = this.claimChain.then(() => {
      this.queuedClaim = null;
      return this.claimUpToCapacity();
    });
    this.queuedClaim = pass;
    this.claimChain = pass.catch(() => undefined);
    return pass;
  }

  private async claimUpToCapacity(): Promise<number> {
    let claimed = 0;
    while (this.attempts.size < this.concurrency) {
      const now = this.now();
      const receipt = await this.outbox.claimDue(now, now + this.leaseMs, randomUUID(), this.appsAtCapacity());
      if (!receipt) break;
      claimed += 1;
      this.startAttempt(receipt);
    }
    return claimed;
  }

  private appsAtCapacity(): string[] {
    return [...this.attemptsPerApp].filter(([, count]) => count >= this.perAppConcurrency).map(([instanceId]) => instanceId);
  }

  private startAttempt(receipt: QueuedReceipt): void {
    this.attemptsPerApp.set(receipt.instanceId, (this.attemptsPerApp.get(receipt.instanceId) ?? 0) + 1);
    const attempt = this.attempt(receipt)
      // The lease runs out and the receipt is attempted again: at least once still holds.
      .catch((error: unknown) => this.logger.warn({ err: error, instanceId: receipt.instanceId, msgId: receipt.msgId }, 'recording a receipt attempt failed; it is retried when its lease ends'))
      .finally(() => {
        this.attempts.delete(attempt);
        const left = (this.attemptsPerApp.get(receipt.instanceId) ?? 1) - 1;
        if (left === 0) this.attemptsPerApp.delete(receipt.instanceId);
        else this.attemptsPerApp.set(receipt.instanceId, left);
        if (this.running) this.claimInBackground();
      });
    this.attempts.add(attempt);
  }

  private async attempt(receipt: QueuedReceipt): Promise<void> {
    const startedAt = this.now();
    const app = await this.apps.find(receipt.workspaceId, receipt.appId);
    if (!app) return this.abandon(receipt, startedAt, 'the app no longer exists');
    if (app.receiptStatus !== true || !app.receiptUrl) return this.abandon(receipt, startedAt, 'receipts were turned off for the app');
    const error = await this.post(app.receiptUrl, receipt.body, await this.platformKeys.signerFor(app));
    if (error === null) {
      await this.outbox.delivered(receipt);
      return;
    }
    const firstAttemptAt = receipt.firstAttemptAt ?? startedAt;
    const failedAt = this.now();
    const nextAttemptAt = nextAttemptAfterFailure(this.retry, firstAttemptAt, receipt.attempts + 1, failedAt);
    if (nextAttemptAt === null) return this.abandon(receipt, failedAt, `no 2xx answer within ${this.retry.giveUpAfterMs} ms of the first attempt; last: ${error}`);
    await this.outbox.failed(receipt, { nextAttemptAt, firstAttemptAt, error });
  }

  /** Null on HTTP 2xx, else why the attempt failed. */
  private async post(receiptUrl: string, body: string, signer: Awaited<ReturnType<PlatformKeys['signerFor']>>): Promise<string | null> {
    try {
      const request = signedReceiptRequest(receiptUrl, body, signer);
      // A redirect would turn the POST into a GET on most servers: it counts as a failed attempt.
      const response = await this.fetch(request.url, { method: 'POST', headers: { 'content-type': RECEIPT_CONTENT_TYPE }, body: request.body, redirect: 'manual', signal: AbortSignal.timeout(this.timeoutMs) });
      await response.body?.cancel();
      return response.status >= 200 && response.status <= 299 ? null : `HTTP ${response.status}`;
    } catch (error) {
      return failureReason(error, this.timeoutMs);
    }
  }

  private async abandon(receipt: QueuedReceipt, at: number, reason: string): Promise<void> {
    if (await this.outbox.abandon(receipt, at, reason)) this.logger.warn({ instanceId: receipt.instanceId, msgId: receipt.msgId, reason }, 'receipt abandoned');
  }
}

function failureReason(error: unknown, timeoutMs: number): string {
  const failure = errorShape(error);
  if (failure.name === 'TimeoutError' || failure.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const cause = errorShape(failure.cause);
  return `${failure.message}${cause.message ? `: ${cause.message}` : ''}`;
}

/** fetch rejects with errors of another realm under some runners, so `instanceof Error` is unreliable. */
function errorShape(error: unknown): { name?: string; message: string; cause?: unknown } {
  if (typeof error !== 'object' || error === null) return { message: error === undefined ? '' : String(error) };
  const { name, message, cause } = error as { name?: unknown; message?: unknown; cause?: unknown };
  return { name: typeof name === 'string' ? name : undefined, message: typeof message === 'string' ? message : String(error), cause };
}

import type { RecordBatch } from './stream.port';

export interface RetryOptions {
  isRunning(): boolean;
  onError(error: unknown, attempt: number): void;
  initialDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Runs a batch handler until it resolves, backing off between attempts, so that a failing
 * record blocks its partition instead of being skipped. Returns false when the consumer was
 * stopped before the batch was handled (the batch stays uncommitted).
 */
export async function handleUntilDone(handle: (batch: RecordBatch) => Promise<void>, batch: RecordBatch, options: RetryOptions): Promise<boolean> {
  let delay = options.initialDelayMs ?? 100;
  for (let attempt = 1; ; attempt++) {
    try {
      await handle(batch);
      return true;
    } catch (error) {
      options.onError(error, attempt);
      if (!options.isRunning()) return false;
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (!options.isRunning()) return false;
      delay = Math.min(delay * 2, options.maxDelayMs ?? 5000);
    }
  }
}

interface Waiting<I, O> {
  item: I;
  resolve: (outcome: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Turns many single calls into few batch calls: items submitted while a batch is in flight (or
 * within `lingerMs` of the first) go out together in the next one, at most `maxBatch` at a time,
 * one batch in flight at a time, so items keep the order they were submitted in. Each submit
 * resolves with its own item's outcome, or rejects with the batch's error.
 */
export class Coalescer<I, O> {
  private readonly queue: Array<Waiting<I, O>> = [];
  private flushing = false;

  public constructor(
    /** Answers one outcome per item, in the items' order. */
    private readonly runBatch: (items: I[]) => Promise<O[]>,
    private readonly options: { lingerMs?: number; maxBatch?: number } = {},
  ) {}

  public submit(item: I): Promise<O> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.flushing) this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    this.flushing = true;
    setTimeout(() => void this.flush(), this.options.lingerMs ?? 1);
  }

  private async flush(): Promise<void> {
    const batch = this.queue.splice(0, this.options.maxBatch ?? 1000);
    try {
      const outcomes = await this.runBatch(batch.map((waiting) => waiting.item));
      batch.forEach((waiting, i) => waiting.resolve(outcomes[i]!));
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    } finally {
      this.flushing = false;
      if (this.queue.length > 0) this.scheduleFlush();
    }
  }
}

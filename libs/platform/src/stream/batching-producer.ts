import type { ProducedRecord, Stream, StreamMessage } from './stream.port';

interface Waiting {
  message: StreamMessage;
  resolve: (record: ProducedRecord) => void;
  reject: (error: unknown) => void;
}

/**
 * Coalesces produce calls per topic: messages sent while a produce is in flight (or within
 * `lingerMs` of the first) go out together in the next one. Per topic one produce is in flight at a
 * time, so messages keep the order they were sent in. Each send resolves once its message is
 * durable, or rejects with the produce's error.
 */
export class BatchingProducer {
  private readonly queues = new Map<string, Waiting[]>();
  private readonly flushing = new Set<string>();

  public constructor(
    private readonly stream: Stream,
    private readonly options: { lingerMs?: number; maxBatch?: number } = {},
  ) {}

  public send(topic: string, message: StreamMessage): Promise<ProducedRecord> {
    return new Promise((resolve, reject) => {
      const queue = this.queues.get(topic) ?? [];
      queue.push({ message, resolve, reject });
      this.queues.set(topic, queue);
      if (!this.flushing.has(topic)) this.scheduleFlush(topic);
    });
  }

  public sendAll(topic: string, messages: StreamMessage[]): Promise<ProducedRecord[]> {
    return Promise.all(messages.map((message) => this.send(topic, message)));
  }

  private scheduleFlush(topic: string): void {
    this.flushing.add(topic);
    const linger = this.options.lingerMs ?? 1;
    setTimeout(() => void this.flush(topic), linger);
  }

  private async flush(topic: string): Promise<void> {
    const queue = this.queues.get(topic) ?? [];
    const batch = queue.splice(0, this.options.maxBatch ?? 1000);
    try {
      if (batch.length > 0) {
        const records = await this.stream.produce(
          topic,
          batch.map((waiting) => waiting.message),
        );
        batch.forEach((waiting, i) => waiting.resolve(records[i]!));
      }
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    } finally {
      this.flushing.delete(topic);
      if (queue.length > 0) this.scheduleFlush(topic);
    }
  }
}

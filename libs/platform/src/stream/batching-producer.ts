import { Coalescer } from '../batching/coalescer';
import type { ProducedRecord, Stream, StreamMessage } from './stream.port';

/**
 * Coalesces produce calls per topic (a Coalescer each): messages sent while a produce is in flight
 * (or within `lingerMs` of the first) go out together in the next one. Per topic one produce is in
 * flight at a time, so messages keep the order they were sent in. Each send resolves once its
 * message is durable, or rejects with the produce's error.
 */
export class BatchingProducer {
  private readonly topics = new Map<string, Coalescer<StreamMessage, ProducedRecord>>();

  public constructor(
    private readonly stream: Stream,
    private readonly options: { lingerMs?: number; maxBatch?: number } = {},
  ) {}

  public send(topic: string, message: StreamMessage): Promise<ProducedRecord> {
    let producer = this.topics.get(topic);
    if (producer === undefined) {
      producer = new Coalescer((messages) => this.stream.produce(topic, messages), this.options);
      this.topics.set(topic, producer);
    }
    return producer.submit(message);
  }

  public sendAll(topic: string, messages: StreamMessage[]): Promise<ProducedRecord[]> {
    return Promise.all(messages.map((message) => this.send(topic, message)));
  }
}

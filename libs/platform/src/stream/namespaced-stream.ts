import type { ConsumerSpec, ProducedRecord, RecordBatch, Stream, StreamConsumer, StreamMessage, TopicPartition, TopicSpec } from './stream.port';

/**
 * Prefixes every topic and consumer group of a stream, so that several deployments (or test
 * clusters) can share one Kafka without reading each other's records. Callers keep the plain names.
 */
export class NamespacedStream implements Stream {
  public constructor(
    private readonly inner: Stream,
    private readonly prefix: string,
  ) {}

  public get kind(): Stream['kind'] {
    return this.inner.kind;
  }

  public ensureTopics(topics: TopicSpec[]): Promise<void> {
    return this.inner.ensureTopics(topics.map((topic) => ({ ...topic, name: this.prefix + topic.name })));
  }

  public async produce(topic: string, messages: StreamMessage[]): Promise<ProducedRecord[]> {
    return (await this.inner.produce(this.prefix + topic, messages)).map((record) => ({ ...record, topic }));
  }

  public subscribe(spec: ConsumerSpec): Promise<StreamConsumer> {
    return this.inner.subscribe({
      ...spec,
      group: this.prefix + spec.group,
      topics: spec.topics.map((topic) => this.prefix + topic),
      handleBatch: (batch: RecordBatch) => {
        const topic = this.plain(batch.topic);
        return spec.handleBatch({ ...batch, topic, records: batch.records.map((record) => ({ ...record, topic })) });
      },
      onAssignment: spec.onAssignment && ((partitions: TopicPartition[]) => spec.onAssignment!(partitions.map((p) => ({ ...p, topic: this.plain(p.topic) })))),
    });
  }

  public committedOffset(group: string, partition: TopicPartition): Promise<number | null> {
    return this.inner.committedOffset(this.prefix + group, { ...partition, topic: this.prefix + partition.topic });
  }

  public endOffset(partition: TopicPartition): Promise<number> {
    return this.inner.endOffset({ ...partition, topic: this.prefix + partition.topic });
  }

  public ping(): Promise<void> {
    return this.inner.ping();
  }

  public close(): Promise<void> {
    return this.inner.close();
  }

  private plain(topic: string): string {
    return topic.startsWith(this.prefix) ? topic.slice(this.prefix.length) : topic;
  }
}

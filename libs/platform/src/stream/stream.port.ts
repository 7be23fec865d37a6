/**
 * Stream port: a keyed, partitioned, durable log with consumer groups (Kafka's model).
 * Records with the same key land in the same partition, in order. Delivery is at least once:
 * a batch whose handler resolved is committed; a handler that throws gets the same batch
 * again (after a back-off) and later records wait behind it. A consumer that dies without
 * committing leaves its records to the next member of its group.
 * Both adapters must pass `stream.conformance.ts`.
 */
/**
 * The most records a handler is given at once. A large backlog comes as several batches, each
 * committed when its handler resolves, so a slow handler keeps its progress.
 */
export const MAX_BATCH_RECORDS = 200;

export interface TopicSpec {
  name: string;
  partitions: number;
  /** How long records are kept; the embedded log trims older ones. Default 7 days. */
  retentionMs?: number;
}

export interface StreamMessage {
  key: string;
  value: Uint8Array;
  headers?: Record<string, string>;
}

export interface ProducedRecord {
  topic: string;
  partition: number;
  offset: number;
}

export interface ConsumedRecord extends StreamMessage, ProducedRecord {
  timestamp: number;
}

export interface RecordBatch {
  topic: string;
  partition: number;
  records: ConsumedRecord[];
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface ConsumerSpec {
  group: string;
  topics: string[];
  /** Where a group with no committed offset starts. Default: earliest. */
  start?: 'earliest' | 'latest';
  /**
   * Records of one partition, in offset order, at most MAX_BATCH_RECORDS. Resolve to commit them.
   * Batches of different partitions may be handled at the same time; those of one partition never overlap.
   */
  handleBatch(batch: RecordBatch): Promise<void>;
  /** Called with the partitions this member owns after each rebalance. */
  onAssignment?(partitions: TopicPartition[]): void;
}

export interface StreamConsumer {
  /** Finishes the batch in hand, commits it, and leaves the group. */
  stop(): Promise<void>;
}

export interface Stream {
  readonly kind: 'kafka' | 'embedded';
  ensureTopics(topics: TopicSpec[]): Promise<void>;
  /** Resolves once every message is durable (acks=all / fsync). Partition = partitionFor(key). */
  produce(topic: string, messages: StreamMessage[]): Promise<ProducedRecord[]>;
  subscribe(spec: ConsumerSpec): Promise<StreamConsumer>;
  /** Committed offset (next record to read) of a group on a partition, or null when none. */
  committedOffset(group: string, partition: TopicPartition): Promise<number | null>;
  /** The offset the next record produced to the partition will get (Kafka's high watermark). */
  endOffset(partition: TopicPartition): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

import { Kafka, logLevel, type Admin, type EachBatchPayload, type Producer } from 'kafkajs';
import { DependencyUnavailableError } from '../errors/platform.error';
import type { PlatformLogger } from '../logging/logger';
import { handleUntilDone } from './handler-retry';
import { partitionFor } from './partitioner';
import {
  MAX_BATCH_RECORDS,
  type ConsumerSpec,
  type ProducedRecord,
  type Stream,
  type StreamConsumer,
  type StreamMessage,
  type TopicPartition,
  type TopicSpec,
} from './stream.port';

const DEFAULT_PARTITIONS = 6;
/** Partitions one member handles at the same time (kafkajs partitionsConsumedConcurrently): its handlers wait mostly on the store. */
const PARTITIONS_AT_ONCE = 8;
const SESSION_TIMEOUT_MS = 10_000;
const HEARTBEAT_INTERVAL_MS = 1000;
/** How long a topic another client has just created may take to appear in this broker's metadata. */
const TOPIC_VISIBLE_WITHIN_MS = 10_000;
const NOT_YET_VISIBLE = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

export interface KafkaStreamOptions {
  brokers: string[];
  clientId: string;
  logger: PlatformLogger;
}

function unavailable(error: unknown): Error {
  const name = (error as Error).name ?? '';
  if (/KafkaJSConnectionError|KafkaJSNumberOfRetriesExceeded|KafkaJSBrokerNotFound|KafkaJSRequestTimeoutError|KafkaJSNonRetriableError/.test(name)) {
    return new DependencyUnavailableError('kafka', (error as Error).message, { cause: error });
  }
  return error as Error;
}

/** Cluster Stream adapter: Apache Kafka through kafkajs (the only file that knows the client). */
export class KafkaStream implements Stream {
  public readonly kind = 'kafka' as const;
  private readonly kafka: Kafka;
  private readonly admin: Admin;
  private readonly producer: Producer;
  private readonly partitionCounts = new Map<string, number>();
  private readonly consumers = new Set<StreamConsumer>();
  private connecting: Promise<void> | undefined;

  public constructor(private readonly options: KafkaStreamOptions) {
    const logger = options.logger;
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      connectionTimeout: 3000,
      requestTimeout: 10000,
      retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 5000 },
      logLevel: logLevel.WARN,
      // Connection churn is reported once per readiness round by the service; the client's own
      // per-attempt lines go to debug, except consumer crashes, which nothing else reports.
      logCreator: () => (entry) => {
        const { message, ...extra } = entry.log;
        const line = { kafka: entry.namespace, ...extra };
        if (entry.namespace === 'Consumer' && entry.level <= logLevel.ERROR) logger.error(line, message);
        else logger.debug(line, message);
      },
    });
    this.admin = this.kafka.admin();
    this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  }

  public async ensureTopics(topics: TopicSpec[]): Promise<void> {
    await this.connected();
    try {
      const existing = new Set(await this.admin.listTopics());
      const missing = topics.filter((topic) => !existing.has(topic.name));
      if (missing.length > 0) {
        // Not waitForLeaders: kafkajs's own wait fails with UNKNOWN_TOPIC_OR_PARTITION while another
        // client creates the same topic; visiblePartitionCount below waits for every topic instead.
        await this.admin.createTopics({
          waitForLeaders: false,
          topics: missing.map((topic) => ({
            topic: topic.name,
            numPartitions: topic.partitions,
            replicationFactor: -1,
            configEntries: topic.retentionMs ? [{ name: 'retention.ms', value: String(topic.retentionMs) }] : [],
          })),
        });
      }
      for (const topic of topics.filter((t) => existing.has(t.name))) {
        const current = await this.visiblePartitionCount(topic.name);
        if (current < topic.partitions) await this.admin.createPartitions({ topicPartitions: [{ topic: topic.name, count: topic.partitions }] });
      }
      for (const topic of topics) this.partitionCounts.set(topic.name, await this.visiblePartitionCount(topic.name));
    } catch (error) {
      throw unavailable(error);
    }
  }

  public async produce(topic: string, messages: StreamMessage[]): Promise<ProducedRecord[]> {
    await this.connected();
    const partitions = await this.partitionsOf(topic);
    const routed = messages.map((message) => ({ message, partition: partitionFor(message.key, partitions) }));
    try {
      const metadata = await this.producer.send({
        topic,
        acks: -1,
        messages: routed.map(({ message, partition }) => ({ key: message.key, value: Buffer.from(message.value), partition, headers: message.headers })),
      });
      const baseOffsets = new Map(metadata.map((m) => [m.partition, Number(m.baseOffset)]));
      const seen = new Map<number, number>();
      return routed.map(({ partition }) => {
        const index = seen.get(partition) ?? 0;
        seen.set(partition, index + 1);
        return { topic, partition, offset: (baseOffsets.get(partition) ?? 0) + index };
      });
    } catch (error) {
      throw unavailable(error);
    }
  }

  public async subscribe(spec: ConsumerSpec): Promise<StreamConsumer> {
    await this.connected();
    const consumer = this.kafka.consumer({
      groupId: spec.group,
      sessionTimeout: SESSION_TIMEOUT_MS,
      heartbeatInterval: HEARTBEAT_INTERVAL_MS,
      rebalanceTimeout: 10000,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 100,
    });
    let running = true;
    // The batches being handled, so that stop() can let them finish and commit while kafkajs still
    // runs: once disconnect() begins, kafkajs silently skips commits.
    const inFlight = new Set<Promise<unknown>>();
    const tracked = (handle: (payload: EachBatchPayload) => Promise<void>) => (payload: EachBatchPayload) => {
      const work = handle(payload);
      const settled = work.catch(() => undefined).finally(() => inFlight.delete(settled));
      inFlight.add(settled);
      return work;
    };
    if (spec.onAssignment) {
      const report = spec.onAssignment;
      consumer.on(consumer.events.GROUP_JOIN, (event) => {
        const assignment = event.payload.memberAssignment as Record<string, number[]>;
        report(Object.entries(assignment).flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition }))));
      });
    }
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: spec.topics, fromBeginning: spec.start !== 'latest' });
      await consumer.run({
        // As the embedded adapter does: each partition has its own loop (a slow partition does not hold up the others).
        partitionsConsumedConcurrently: PARTITIONS_AT_ONCE,
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: tracked(async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
          const active = (): boolean => running && isRunning() && !isStale();
          // kafkajs heartbeats only between batches; a handler outliving the session would get the member evicted and its batch redone.
          const beat = setInterval(() => void heartbeat().catch(() => undefined), HEARTBEAT_INTERVAL_MS);
          try {
            for (let from = 0; from < batch.messages.length && active(); from += MAX_BATCH_RECORDS) {
              const messages = batch.messages.slice(from, from + MAX_BATCH_RECORDS);
              const records = messages.map((message) => ({
                topic: batch.topic,
                partition: batch.partition,
                offset: Number(message.offset),
                key: message.key?.toString('utf8') ?? '',
                value: new Uint8Array(message.value ?? Buffer.alloc(0)),
                timestamp: Number(message.timestamp),
                headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
              }));
              const handled = await handleUntilDone(spec.handleBatch, { topic: batch.topic, partition: batch.partition, records }, {
                isRunning: active,
                onError: (error, attempt) =>
                  this.options.logger.error({ err: error, group: spec.group, topic: batch.topic, partition: batch.partition, attempt }, 'stream handler failed; retrying the batch'),
              });
              if (!handled) return;
              // Without eachBatchAutoResolve, kafkajs fetches from the last *resolved* offset (a commit does not move it).
              resolveOffset(messages[messages.length - 1].offset);
              await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: String(records[records.length - 1].offset + 1) }]);
              // Throws when the group is rebalancing, which ends the fetched batch here so that this member can rejoin in time.
              await heartbeat();
            }
          } finally {
            clearInterval(beat);
          }
        }),
      });
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      throw unavailable(error);
    }
    const handle: StreamConsumer = {
      stop: async () => {
        running = false;
        await Promise.all(inFlight);
        this.consumers.delete(handle);
        await consumer.disconnect();
      },
    };
    this.consumers.add(handle);
    return handle;
  }

  public async committedOffset(group: string, partition: TopicPartition): Promise<number | null> {
    await this.connected();
    const [topic] = await this.admin.fetchOffsets({ groupId: group, topics: [partition.topic] });
    const entry = topic?.partitions.find((p) => p.partition === partition.partition);
    if (!entry || Number(entry.offset) < 0) return null;
    return Number(entry.offset);
  }

  public async endOffset(partition: TopicPartition): Promise<number> {
    await this.connected();
    try {
      // A topic just created may have no leader yet on this broker (retriable NOT_LEADER_FOR_PARTITION).
      for (let delay = 50, deadline = Date.now() + TOPIC_VISIBLE_WITHIN_MS; ; delay = Math.min(delay * 2, 1000)) {
        try {
          const offsets = await this.admin.fetchTopicOffsets(partition.topic);
          return Number(offsets.find((entry) => entry.partition === partition.partition)?.high ?? 0);
        } catch (error) {
          if ((error as { retriable?: boolean }).retriable !== true || Date.now() >= deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, delay));
        }
      }
    } catch (error) {
      throw unavailable(error);
    }
  }

  public async ping(): Promise<void> {
    try {
      await this.connected();
      await this.admin.describeCluster();
    } catch (error) {
      this.connecting = undefined;
      throw new DependencyUnavailableError('kafka', (error as Error).message, { cause: error });
    }
  }

  public async close(): Promise<void> {
    await Promise.all([...this.consumers].map((consumer) => consumer.stop().catch(() => undefined)));
    this.consumers.clear();
    await this.producer.disconnect().catch(() => undefined);
    await this.admin.disconnect().catch(() => undefined);
  }

  private connected(): Promise<void> {
    this.connecting ??= Promise.all([this.admin.connect(), this.producer.connect()]).then(
      () => undefined,
      (error: unknown) => {
        this.connecting = undefined;
        throw unavailable(error);
      },
    );
    return this.connecting;
  }

  /** An existing topic keeps its partition count; only a missing one is created with the default. */
  private async partitionsOf(topic: string): Promise<number> {
    const known = this.partitionCounts.get(topic);
    if (known !== undefined) return known;
    const exists = await this.admin.listTopics().then((names) => names.includes(topic), (error: unknown) => Promise.reject(unavailable(error)));
    if (!exists) await this.ensureTopics([{ name: topic, partitions: DEFAULT_PARTITIONS }]);
    else this.partitionCounts.set(topic, await this.visiblePartitionCount(topic).catch((error: unknown) => Promise.reject(unavailable(error))));
    return this.partitionCounts.get(topic)!;
  }

  /**
   * The topic's partition count once the broker serves its metadata. A topic another client is
   * creating right now (services starting together on a fresh prefix) is listed, or refused as
   * "already exists", before the broker hosts its partitions; its metadata then answers
   * UNKNOWN_TOPIC_OR_PARTITION or LEADER_NOT_AVAILABLE, or no partitions, for a moment.
   */
  private async visiblePartitionCount(topic: string): Promise<number> {
    const deadline = Date.now() + TOPIC_VISIBLE_WITHIN_MS;
    for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
      const partitions = await this.admin.fetchTopicMetadata({ topics: [topic] }).then(
        (metadata) => metadata.topics[0]?.partitions.length ?? 0,
        (error: unknown) => {
          if (NOT_YET_VISIBLE.has((error as { type?: string }).type ?? '')) return 0;
          throw error;
        },
      );
      if (partitions > 0) return partitions;
      if (Date.now() >= deadline) throw new DependencyUnavailableError('kafka', `topic ${topic} is not served by the broker after ${TOPIC_VISIBLE_WITHIN_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

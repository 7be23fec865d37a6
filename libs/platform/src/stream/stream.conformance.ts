import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { createLogger } from '../logging/logger';
import { clusterEnv, uniqueName } from '../testing/cluster-env';
import { EmbeddedStream } from './embedded-stream.adapter';
import { KafkaStream } from './kafka-stream.adapter';
import { partitionFor } from './partitioner';
import { MAX_BATCH_RECORDS, type ConsumedRecord, type ConsumerSpec, type ProducedRecord, type RecordBatch, type Stream, type StreamConsumer, type StreamMessage, type TopicPartition } from './stream.port';
import { eventually, sleep } from '../testing/eventually';

const logger = createLogger({ service: 'stream-conformance', level: process.env.LOG_LEVEL ?? 'silent' });

/** Opens streams on one backing log (an SQLite file, or the Kafka cluster) and removes what the run created. */
interface Backend {
  /** A new Stream instance over the same log: for the embedded adapter, the same file, as a restarted process would. */
  open(): Stream;
  dispose(topics: string[], groups: string[]): Promise<void>;
}

const backends: Array<[Stream['kind'], () => Backend]> = [
  [
    'embedded',
    () => {
      const directory = mkdtempSync(join(tmpdir(), 'stream-conformance-'));
      const file = join(directory, 'stream.sqlite');
      return { open: () => new EmbeddedStream(file), dispose: async () => rmSync(directory, { recursive: true, force: true }) };
    },
  ],
  [
    'kafka',
    () => {
      const brokers = clusterEnv().kafkaBrokers;
      return {
        open: () => new KafkaStream({ brokers, clientId: 'stream-conformance', logger }),
        dispose: async (topics, groups) => {
          const admin = new Kafka({ clientId: 'stream-conformance-cleanup', brokers, logLevel: logLevel.NOTHING }).admin();
          await admin.connect();
          try {
            await admin.deleteGroups(groups).catch(() => undefined);
            await admin.deleteTopics({ topics }).catch(() => undefined);
          } finally {
            await admin.disconnect();
          }
        },
      };
    },
  ],
];

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const decode = (data: Uint8Array): string => new TextDecoder().decode(data);
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);


/** Messages `${key}:${seq}` with `perKey` messages for each of `keys` keys, interleaved. */
function keyedMessages(keys: number, perKey: number, firstSeq = 0): StreamMessage[] {
  return range(firstSeq, firstSeq + perKey).flatMap((seq) => range(0, keys).map((k) => ({ key: `key-${k}`, value: encode(`key-${k}:${seq}`) })));
}

/** Records what a consumer's handler was given. */
class Recorder {
  public readonly batches: RecordBatch[] = [];
  public readonly records: ConsumedRecord[] = [];
  public readonly assignments: TopicPartition[][] = [];

  public readonly spec = (group: string, topics: string[], extra: Partial<ConsumerSpec> = {}): ConsumerSpec => ({
    group,
    topics,
    handleBatch: async (batch) => {
      this.batches.push(batch);
      this.records.push(...batch.records);
    },
    onAssignment: (partitions) => void this.assignments.push(partitions),
    ...extra,
  });

  public texts(): string[] {
    return this.records.map((record) => decode(record.value));
  }
}

const positionOf = (record: { topic: string; partition: number; offset: number }): string => `${record.topic}/${record.partition}/${record.offset}`;

describe.each(backends)('Stream conformance: %s', (kind, createBackend) => {
  let backend: Backend;
  let stream: Stream;
  const topics: string[] = [];
  const groups: string[] = [];
  /** Consumers and extra streams a test opened; stopped after it. */
  let consumers: StreamConsumer[] = [];
  let streams: Stream[] = [];

  const newTopic = async (partitions: number, on: Stream = stream): Promise<string> => {
    const name = uniqueName('topic');
    topics.push(name);
    await on.ensureTopics([{ name, partitions }]);
    return name;
  };
  const newGroup = (): string => {
    const name = uniqueName('group');
    groups.push(name);
    return name;
  };
  const subscribe = async (spec: ConsumerSpec, on: Stream = stream): Promise<StreamConsumer> => {
    const consumer = await on.subscribe(spec);
    consumers.push(consumer);
    return consumer;
  };
  const openStream = (): Stream => {
    const opened = backend.open();
    streams.push(opened);
    return opened;
  };

  beforeAll(() => {
    backend = createBackend();
    stream = backend.open();
  });

  afterEach(async () => {
    await Promise.all(consumers.map((consumer) => consumer.stop()));
    await Promise.all(streams.map((opened) => opened.close()));
    consumers = [];
    streams = [];
  });

  afterAll(async () => {
    await stream.close();
    await backend.dispose(topics, groups);
  });

  it('has the expected kind and answers ping', async () => {
    expect(stream.kind).toBe(kind);
    await expect(stream.ping()).resolves.toBeUndefined();
  });

  it('ensureTopics is idempotent and produce routes every key to partitionFor(key, partitions)', async () => {
    const topic = await newTopic(3);
    await stream.ensureTopics([{ name: topic, partitions: 3 }]);
    await openStream().ensureTopics([{ name: topic, partitions: 3 }]);
    await stream.ensureTopics([{ name: topic, partitions: 3 }]);
    const messages = range(0, 30).map((i) => ({ key: `user-${i}`, value: encode(String(i)) }));
    const produced = await stream.produce(topic, messages);
    expect(produced).toHaveLength(30);
    produced.forEach((record, i) => {
      expect(record.topic).toBe(topic);
      expect(record.partition).toBe(partitionFor(messages[i].key, 3));
    });
    expect(new Set(produced.map((record) => record.partition))).toEqual(new Set([0, 1, 2]));
    // Another instance that never ensured the topic keeps its partition count (and so the key routing).
    const elsewhere = await openStream().produce(topic, messages);
    expect(elsewhere.map((record) => record.partition)).toEqual(produced.map((record) => record.partition));
  });

  it('ensureTopics of a new topic by several instances at once resolves in each, with the topic usable', async () => {
    // Services starting together on a fresh topic prefix: one creates the topic while the others
    // find it half-created. Repeated, because the window is short.
    for (let round = 0; round < 8; round++) {
      const instances = [openStream(), openStream(), openStream(), openStream()];
      const names = [uniqueName('topic'), uniqueName('topic'), uniqueName('topic')];
      topics.push(...names);
      await Promise.all(instances.map((instance) => instance.ensureTopics(names.map((name) => ({ name, partitions: 12 })))));
      const messages = range(0, 24).map((i) => ({ key: `device-${i}`, value: encode(String(i)) }));
      for (const instance of instances) {
        for (const name of names) {
          const produced = await instance.produce(name, messages);
          expect(produced.map((record) => record.partition)).toEqual(messages.map((message) => partitionFor(message.key, 12)));
        }
      }
    }
  }, 60000);

  it('produce numbers records consecutively per partition, across calls', async () => {
    const topic = await newTopic(4);
    const first = await stream.produce(topic, keyedMessages(10, 3));
    const second = await stream.produce(topic, keyedMessages(10, 2, 3));
    expect(await stream.produce(topic, [])).toEqual([]);
    const byPartition = new Map<number, number[]>();
    for (const record of [...first, ...second]) byPartition.set(record.partition, [...(byPartition.get(record.partition) ?? []), record.offset]);
    expect(byPartition.size).toBeGreaterThan(1);
    for (const offsets of byPartition.values()) expect(offsets).toEqual(range(0, offsets.length));
  });

  it('endOffset is the offset the next record of a partition gets', async () => {
    const topic = await newTopic(2);
    expect(await stream.endOffset({ topic, partition: 0 })).toBe(0);
    const produced = await stream.produce(topic, keyedMessages(6, 2));
    for (const partition of [0, 1]) {
      const count = produced.filter((record) => record.partition === partition).length;
      expect(await stream.endOffset({ topic, partition })).toBe(count);
      expect(await openStream().endOffset({ topic, partition })).toBe(count);
    }
  });

  it('delivers every record exactly once to a group, in order per key, fields intact', async () => {
    const topic = await newTopic(6);
    const produced: ProducedRecord[] = [];
    const sent: StreamMessage[] = [];
    for (let round = 0; round < 3; round++) {
      const messages = keyedMessages(20, 5, round * 5).map((message, i) => (i % 7 === 0 ? { ...message, headers: { 'trace-id': `t-${round}-${i}`, kind: 'test' } } : message));
      sent.push(...messages);
      produced.push(...(await stream.produce(topic, messages)));
    }
    const started = Date.now();
    const recorder = new Recorder();
    await subscribe(recorder.spec(newGroup(), [topic]));
    await eventually(() => expect(recorder.records.length).toBeGreaterThanOrEqual(300));
    await sleep(500);
    expect(recorder.records).toHaveLength(300);
    expect(new Set(recorder.records.map(positionOf)).size).toBe(300);

    const perKey = new Map<string, number[]>();
    for (const record of recorder.records) {
      const [key, seq] = decode(record.value).split(':');
      expect(record.key).toBe(key);
      expect(record.topic).toBe(topic);
      expect(record.partition).toBe(partitionFor(key, 6));
      perKey.set(key, [...(perKey.get(key) ?? []), Number(seq)]);
    }
    expect(perKey.size).toBe(20);
    for (const sequence of perKey.values()) expect(sequence).toEqual(range(0, 15));

    // Each record sits where produce said it went, with its headers and a plausible timestamp.
    const received = new Map(recorder.records.map((record) => [positionOf(record), record]));
    sent.forEach((message, i) => {
      const record = received.get(positionOf(produced[i]))!;
      expect(decode(record.value)).toBe(decode(message.value));
      expect(record.headers ?? {}).toEqual(message.headers ?? {});
      expect(record.timestamp).toBeGreaterThanOrEqual(started - 60_000);
      expect(record.timestamp).toBeLessThanOrEqual(Date.now() + 1000);
    });
    for (const batch of recorder.batches) {
      expect(batch.topic).toBe(topic);
      expect(batch.records.length).toBeGreaterThan(0);
      for (const record of batch.records) expect(record.partition).toBe(batch.partition);
      const offsets = batch.records.map((record) => record.offset);
      expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    }
  });

  it('commits a batch once its handler resolved: committedOffset is the last offset + 1', async () => {
    const topic = await newTopic(3);
    const group = newGroup();
    const produced = await stream.produce(topic, keyedMessages(6, 4));
    const recorder = new Recorder();
    await subscribe(recorder.spec(group, [topic]));
    await eventually(() => expect(recorder.records).toHaveLength(24));
    for (const partition of [0, 1, 2]) {
      const last = Math.max(...produced.filter((record) => record.partition === partition).map((record) => record.offset));
      await eventually(async () => expect(await stream.committedOffset(group, { topic, partition })).toBe(last + 1));
    }
    expect(await stream.committedOffset(newGroup(), { topic, partition: 0 })).toBeNull();
  });

  it('handles the waiting batches of several partitions at the same time', async () => {
    const topic = await newTopic(2);
    const keyOn = (partition: number) => range(0, 100).map((i) => `key-${i}`).find((key) => partitionFor(key, 2) === partition)!;
    await stream.produce(topic, [{ key: keyOn(0), value: encode('a') }, { key: keyOn(1), value: encode('b') }]);
    let releaseFirst!: () => void;
    const firstMayEnd = new Promise<void>((resolve) => (releaseFirst = resolve));
    let first: number | undefined;
    const handled: number[] = [];
    await subscribe({
      group: newGroup(),
      topics: [topic],
      handleBatch: async (batch) => {
        first ??= batch.partition;
        if (batch.partition === first) await firstMayEnd;
        handled.push(batch.partition);
      },
    });
    try {
      // The other partition is handled while the first one's handler still waits: one partition at a time would never get here.
      await eventually(() => expect(handled).toEqual([1 - first!]), 30_000);
    } finally {
      releaseFirst();
    }
    await eventually(() => expect(handled).toEqual([1 - first!, first]));
  });

  it('hands a backlog over in batches of at most MAX_BATCH_RECORDS, in order, committing each', async () => {
    const topic = await newTopic(1);
    const group = newGroup();
    const total = MAX_BATCH_RECORDS * 3 + 17;
    await stream.produce(topic, range(0, total).map((i) => ({ key: 'k', value: encode(String(i)) })));
    const committedBefore: Array<number | null> = [];
    const recorder = new Recorder();
    await subscribe({
      group,
      topics: [topic],
      handleBatch: async (batch) => {
        committedBefore.push(await stream.committedOffset(group, { topic, partition: 0 }));
        recorder.batches.push(batch);
        recorder.records.push(...batch.records);
      },
    });
    await eventually(() => expect(recorder.records.length).toBeGreaterThanOrEqual(total));
    expect(recorder.records.map((record) => record.offset)).toEqual(range(0, total));
    expect(recorder.batches.length).toBeGreaterThanOrEqual(4);
    for (const batch of recorder.batches) expect(batch.records.length).toBeLessThanOrEqual(MAX_BATCH_RECORDS);
    // Each batch starts where the committed offset stands: the batches before it were committed.
    expect(committedBefore.slice(1)).toEqual(recorder.batches.slice(1).map((batch) => batch.records[0].offset));
  });

  it('keeps a member whose handler runs longer than the group session: its batch is handled once', async () => {
    const topic = await newTopic(1);
    const group = newGroup();
    await stream.produce(topic, range(0, 3).map((i) => ({ key: 'k', value: encode(String(i)) })));
    const handled: number[] = [];
    await subscribe({
      group,
      topics: [topic],
      handleBatch: async (batch) => {
        if (handled.length === 0) await sleep(14000); // beyond Kafka's 10 s session timeout
        handled.push(...batch.records.map((record) => record.offset));
      },
    });
    await eventually(async () => expect(await stream.committedOffset(group, { topic, partition: 0 })).toBe(3), 30000);
    await stream.produce(topic, [{ key: 'k', value: encode('3') }]);
    await eventually(() => expect(handled).toContain(3));
    expect(handled).toEqual(range(0, 4));
  }, 45000);

  it('delivers everything to each of two groups', async () => {
    const topic = await newTopic(3);
    const first = new Recorder();
    const second = new Recorder();
    await subscribe(first.spec(newGroup(), [topic]));
    await stream.produce(topic, keyedMessages(10, 5));
    await subscribe(second.spec(newGroup(), [topic]));
    await stream.produce(topic, keyedMessages(10, 5, 5));
    await eventually(() => expect(first.records.length).toBeGreaterThanOrEqual(100));
    await eventually(() => expect(second.records.length).toBeGreaterThanOrEqual(100));
    await sleep(300);
    const expected = keyedMessages(10, 10).map((message) => decode(message.value)).sort();
    expect(first.texts().sort()).toEqual(expected);
    expect(second.texts().sort()).toEqual(expected);
  });

  it('splits the partitions between two members of one group, each record to one of them', async () => {
    const topic = await newTopic(6);
    const group = newGroup();
    const first = new Recorder();
    const second = new Recorder();
    await subscribe(first.spec(group, [topic]));
    await subscribe(second.spec(group, [topic]));
    // Wait for the rebalance to settle: the latest assignments are disjoint and cover every partition.
    await eventually(() => {
      const a = (first.assignments.at(-1) ?? []).filter((p) => p.topic === topic).map((p) => p.partition);
      const b = (second.assignments.at(-1) ?? []).filter((p) => p.topic === topic).map((p) => p.partition);
      expect(a.length).toBeGreaterThan(0);
      expect(b.length).toBeGreaterThan(0);
      expect([...a, ...b].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    }, 30000);
    await stream.produce(topic, keyedMessages(30, 4));
    await eventually(() => expect(first.records.length + second.records.length).toBeGreaterThanOrEqual(120));
    await sleep(300);
    expect(first.records.length).toBeGreaterThan(0);
    expect(second.records.length).toBeGreaterThan(0);
    const all = [...first.texts(), ...second.texts()];
    expect(all).toHaveLength(120);
    expect(new Set(all).size).toBe(120);
    const firstPartitions = new Set(first.records.map((record) => record.partition));
    expect(second.records.some((record) => firstPartitions.has(record.partition))).toBe(false);
  }, 60000);

  it('gives a failed batch again, and delivers nothing after it before it succeeds', async () => {
    const topic = await newTopic(1);
    const calls: number[][] = [];
    let failures = 0;
    await stream.produce(topic, range(0, 5).map((i) => ({ key: 'k', value: encode(String(i)) })));
    await subscribe({
      group: newGroup(),
      topics: [topic],
      handleBatch: async (batch) => {
        calls.push(batch.records.map((record) => record.offset));
        if (failures === 0) {
          failures += 1;
          // Later records arrive while this batch is failing.
          await stream.produce(topic, range(5, 10).map((i) => ({ key: 'k', value: encode(String(i)) })));
          throw new Error('transient failure');
        }
      },
    });
    await eventually(() => expect(calls.flat()).toContain(9));
    await sleep(300);
    expect(failures).toBe(1);
    expect(calls[0][0]).toBe(0);
    expect(calls[1]).toEqual(calls[0]);
    expect(calls.slice(1).flat()).toEqual(range(0, 10));
  });

  it('stop() finishes the batch in hand and commits it; the next member starts after it', async () => {
    const topic = await newTopic(1);
    const group = newGroup();
    await stream.produce(topic, range(0, 5).map((i) => ({ key: 'k', value: encode(String(i)) })));
    let entered = (): void => undefined;
    const handling = new Promise<void>((resolve) => (entered = resolve));
    const handled: number[] = [];
    const consumer = await stream.subscribe({
      group,
      topics: [topic],
      handleBatch: async (batch) => {
        entered();
        await sleep(500);
        handled.push(...batch.records.map((record) => record.offset));
      },
    });
    await handling;
    await consumer.stop();
    expect(handled).toEqual(range(0, 5));
    expect(await stream.committedOffset(group, { topic, partition: 0 })).toBe(5);

    await stream.produce(topic, range(5, 8).map((i) => ({ key: 'k', value: encode(String(i)) })));
    const next = new Recorder();
    await subscribe(next.spec(group, [topic]));
    await eventually(() => expect(next.records.length).toBeGreaterThanOrEqual(3));
    await sleep(300);
    expect(next.records.map((record) => record.offset)).toEqual([5, 6, 7]);
  });

  it('redelivers uncommitted records to the group after a consumer dies in its handler, and never committed ones', async () => {
    const topic = await newTopic(1);
    const group = newGroup();
    const dying = openStream();
    const seenByDying: number[] = [];
    let crash: (error: Error) => void = () => undefined;
    const hang = new Promise<void>((_, reject) => (crash = reject));
    hang.catch(() => undefined);
    const consumer = await dying.subscribe({
      group,
      topics: [topic],
      handleBatch: async (batch) => {
        const offsets = batch.records.map((record) => record.offset);
        seenByDying.push(...offsets);
        if (offsets.some((offset) => offset >= 10)) await hang;
      },
    });
    await dying.produce(topic, range(0, 10).map((i) => ({ key: 'k', value: encode(String(i)) })));
    await eventually(async () => expect(await dying.committedOffset(group, { topic, partition: 0 })).toBe(10));
    await dying.produce(topic, range(10, 20).map((i) => ({ key: 'k', value: encode(String(i)) })));
    await eventually(() => expect(seenByDying).toContain(10));

    // The consumer dies in its handler, without committing. Kafka: it is disconnected while its
    // handler hangs, and the group evicts it. Embedded: the process is gone and a new one opens
    // the same file (the dead one's close() cannot finish while its handler hangs).
    const dead = kind === 'kafka' ? consumer.stop() : dying.close();
    const survivor = openStream();
    const recorder = new Recorder();
    const started = Date.now();
    await subscribe(recorder.spec(group, [topic]), survivor);
    await eventually(() => expect(recorder.records.length).toBeGreaterThanOrEqual(10), 45000);
    await sleep(300);
    expect(recorder.records.map((record) => record.offset)).toEqual(range(10, 20));
    expect(recorder.texts()).toEqual(range(10, 20).map(String));
    await eventually(async () => expect(await survivor.committedOffset(group, { topic, partition: 0 })).toBe(20));
    logger.info({ kind, takeoverMs: Date.now() - started }, 'takeover after a dead consumer');

    // Let the dead handler fail, so that the dead consumer ends without committing anything.
    crash(new Error('the process died'));
    await dead;
    expect(await survivor.committedOffset(group, { topic, partition: 0 })).toBe(20);
  }, 60000);

  it("start: 'latest' makes a new group skip the records produced before it joined", async () => {
    const topic = await newTopic(1);
    await stream.produce(topic, range(0, 5).map((i) => ({ key: 'k', value: encode(`early-${i}`) })));
    const recorder = new Recorder();
    await subscribe(recorder.spec(newGroup(), [topic], { start: 'latest' }));
    // The position is taken when the consumer first fetches: produce markers until one arrives.
    for (let i = 0; !recorder.texts().some((text) => text.startsWith('marker')); i++) {
      if (i > 100) throw new Error('no marker delivered');
      await stream.produce(topic, [{ key: 'k', value: encode(`marker-${i}`) }]);
      await sleep(200);
    }
    await stream.produce(topic, range(0, 5).map((i) => ({ key: 'k', value: encode(`late-${i}`) })));
    await eventually(() => expect(recorder.texts().filter((text) => text.startsWith('late'))).toHaveLength(5));
    expect(recorder.texts().filter((text) => text.startsWith('early'))).toEqual([]);
    expect(recorder.texts().filter((text) => !text.startsWith('marker'))).toEqual(range(0, 5).map((i) => `late-${i}`));
  });

  it('keeps produced records across a restart: a new instance and a new group read them all', async () => {
    const writer = openStream();
    const topic = await newTopic(3, writer);
    const produced = await writer.produce(topic, keyedMessages(12, 5));
    await writer.close();
    const reader = openStream();
    const recorder = new Recorder();
    await subscribe(recorder.spec(newGroup(), [topic]), reader);
    await eventually(() => expect(recorder.records.length).toBeGreaterThanOrEqual(60));
    await sleep(300);
    expect(recorder.texts().sort()).toEqual(keyedMessages(12, 5).map((message) => decode(message.value)).sort());
    expect(recorder.records.map(positionOf).sort()).toEqual(produced.map(positionOf).sort());
  });
});

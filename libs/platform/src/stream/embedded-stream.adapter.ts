import { EventEmitter } from 'node:events';
import type Database from 'better-sqlite3';
import { openDurableDatabase } from '../store/sqlite-database';
import { handleUntilDone } from './handler-retry';
import { partitionFor } from './partitioner';
import {
  MAX_BATCH_RECORDS,
  type ConsumedRecord,
  type ConsumerSpec,
  type ProducedRecord,
  type Stream,
  type StreamConsumer,
  type StreamMessage,
  type TopicPartition,
  type TopicSpec,
} from './stream.port';

const DEFAULT_PARTITIONS = 6;
const DEFAULT_RETENTION_MS = 7 * 24 * 3600 * 1000;
const IDLE_POLL_MS = 1000;

interface RecordRow {
  partition: number;
  offset: number;
  key: string;
  value: Buffer;
  headers: string | null;
  ts: number;
}

export interface EmbeddedStreamOptions {
  onHandlerError?(error: unknown, context: { group: string; topic: string; partition: number; attempt: number }): void;
}

/** One member of a consumer group: owns some partitions and runs one loop per partition. */
class GroupMember implements StreamConsumer {
  private readonly loops = new Map<string, { stop: () => void; done: Promise<void> }>();
  public stopped = false;

  public constructor(
    private readonly stream: EmbeddedStream,
    public readonly spec: ConsumerSpec,
  ) {}

  public owned(): string[] {
    return [...this.loops.keys()];
  }

  public async release(partitionKey: string): Promise<void> {
    const loop = this.loops.get(partitionKey);
    if (!loop) return;
    this.loops.delete(partitionKey);
    loop.stop();
    await loop.done;
  }

  public acquire(partition: TopicPartition): void {
    const key = partitionKeyOf(partition);
    if (this.loops.has(key)) return;
    let running = true;
    let wake: () => void = () => undefined;
    const stop = () => {
      running = false;
      wake();
    };
    const done = this.stream.runPartition(this.spec, partition, () => running, (resolve) => (wake = resolve));
    this.loops.set(key, { stop, done });
  }

  public async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.stream.leave(this);
  }
}

function partitionKeyOf(partition: TopicPartition): string {
  return `${partition.topic}\u0000${partition.partition}`;
}

/**
 * Embedded Stream adapter: a durable log in an SQLite file (fsync on every produce) with
 * in-process consumer groups. The standalone process uses it in place of Kafka.
 */
export class EmbeddedStream implements Stream {
  public readonly kind = 'embedded' as const;
  private readonly database: Database.Database;
  private readonly produced = new EventEmitter();
  private readonly nextOffsets = new Map<string, number>();
  private readonly groups = new Map<string, GroupMember[]>();
  private rebalancing = Promise.resolve();
  private readonly trimTimer: NodeJS.Timeout;
  /** The statements of every produce and every handled batch, prepared once. */
  private readonly statements: Record<'insertRecord' | 'topicPartitions' | 'committedOffset' | 'commitOffset', Database.Statement>;
  /** Partition counts only grow, and only through createTopic of this instance. */
  private readonly partitionCounts = new Map<string, number>();

  public constructor(
    file: string,
    private readonly options: EmbeddedStreamOptions = {},
  ) {
    this.database = openDurableDatabase(file);
    this.database.exec(`
      CREATE TABLE IF NOT EXISTS stream_topics (name TEXT PRIMARY KEY, partitions INTEGER NOT NULL, retention_ms INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS stream_records (topic TEXT NOT NULL, partition INTEGER NOT NULL, offset INTEGER NOT NULL,
        key TEXT NOT NULL, value BLOB NOT NULL, headers TEXT, ts INTEGER NOT NULL, PRIMARY KEY (topic, partition, offset));
      CREATE TABLE IF NOT EXISTS stream_offsets (grp TEXT NOT NULL, topic TEXT NOT NULL, partition INTEGER NOT NULL,
        next_offset INTEGER NOT NULL, PRIMARY KEY (grp, topic, partition));
    `);
    this.statements = {
      insertRecord: this.database.prepare('INSERT INTO stream_records (topic, partition, offset, key, value, headers, ts) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      topicPartitions: this.database.prepare('SELECT partitions FROM stream_topics WHERE name = ?'),
      committedOffset: this.database.prepare('SELECT next_offset FROM stream_offsets WHERE grp = ? AND topic = ? AND partition = ?'),
      commitOffset: this.database.prepare(
        'INSERT INTO stream_offsets (grp, topic, partition, next_offset) VALUES (?, ?, ?, ?) ON CONFLICT(grp, topic, partition) DO UPDATE SET next_offset = excluded.next_offset',
      ),
    };
    this.produced.setMaxListeners(0);
    this.trimTimer = setInterval(() => this.trimExpired(), 60_000);
    this.trimTimer.unref();
  }

  public async ensureTopics(topics: TopicSpec[]): Promise<void> {
    for (const topic of topics) this.createTopic(topic);
  }

  public async produce(topic: string, messages: StreamMessage[]): Promise<ProducedRecord[]> {
    const partitions = this.partitionsOf(topic) ?? this.createTopic({ name: topic, partitions: DEFAULT_PARTITIONS });
    const insert = this.statements.insertRecord;
    const now = Date.now();
    const produced = this.database.transaction(() =>
      messages.map((message) => {
        const partition = partitionFor(message.key, partitions);
        const offset = this.takeOffset(topic, partition);
        insert.run(topic, partition, offset, message.key, Buffer.from(message.value), message.headers ? JSON.stringify(message.headers) : null, now);
        return { topic, partition, offset };
      }),
    )();
    // Wake only the loops of the partitions written to: waking every partition of the topic cost a query per idle partition per produce.
    for (const partition of new Set(produced.map((record) => record.partition))) this.produced.emit(partitionKeyOf({ topic, partition }));
    return produced;
  }

  public async subscribe(spec: ConsumerSpec): Promise<StreamConsumer> {
    for (const topic of spec.topics) {
      if (this.partitionsOf(topic) === undefined) this.createTopic({ name: topic, partitions: DEFAULT_PARTITIONS });
    }
    const member = new GroupMember(this, spec);
    const members = this.groups.get(spec.group) ?? [];
    members.push(member);
    this.groups.set(spec.group, members);
    await this.rebalance(spec.group);
    return member;
  }

  public async committedOffset(group: string, partition: TopicPartition): Promise<number | null> {
    return this.readCommitted(group, partition);
  }

  public async endOffset(partition: TopicPartition): Promise<number> {
    const row = this.database.prepare('SELECT max(offset) AS last FROM stream_records WHERE topic = ? AND partition = ?').get(partition.topic, partition.partition) as { last: number | null };
    return Math.max(row.last === null ? 0 : row.last + 1, this.nextOffsets.get(partitionKeyOf(partition)) ?? 0);
  }

  public async ping(): Promise<void> {
    this.database.prepare('SELECT 1').get();
  }

  public async close(): Promise<void> {
    clearInterval(this.trimTimer);
    const members = [...this.groups.values()].flat();
    await Promise.all(members.map((member) => member.stop()));
    if (this.database.open) this.database.close();
  }

  public async leave(member: GroupMember): Promise<void> {
    const members = (this.groups.get(member.spec.group) ?? []).filter((m) => m !== member);
    this.groups.set(member.spec.group, members);
    await this.serialized(async () => {
      await Promise.all(member.owned().map((key) => member.release(key)));
    });
    await this.rebalance(member.spec.group);
  }

  /** Runs one partition of one member until `isRunning()` turns false. */
  public async runPartition(spec: ConsumerSpec, partition: TopicPartition, isRunning: () => boolean, onWake: (wake: () => void) => void): Promise<void> {
    let next = this.readCommitted(spec.group, partition);
    if (next === null) {
      next = spec.start === 'latest' ? this.takeOffsetPeek(partition) : this.lowestOffset(partition);
      this.commit(spec.group, partition, next);
    }
    const select = this.database.prepare('SELECT partition, offset, key, value, headers, ts FROM stream_records WHERE topic = ? AND partition = ? AND offset >= ? ORDER BY offset LIMIT ?');
    while (isRunning()) {
      const rows = select.all(partition.topic, partition.partition, next, MAX_BATCH_RECORDS) as RecordRow[];
      if (rows.length === 0) {
        await this.waitForRecords(partition, onWake);
        continue;
      }
      const records = rows.map((row) => this.toRecord(partition.topic, row));
      const handled = await handleUntilDone(spec.handleBatch, { topic: partition.topic, partition: partition.partition, records }, {
        isRunning,
        onError: (error, attempt) => this.options.onHandlerError?.(error, { group: spec.group, ...partition, attempt }),
      });
      if (!handled) return;
      next = rows[rows.length - 1].offset + 1;
      this.commit(spec.group, partition, next);
    }
  }

  private async rebalance(group: string): Promise<void> {
    await this.serialized(async () => {
      const members = (this.groups.get(group) ?? []).filter((m) => !m.stopped);
      if (members.length === 0) return;
      const partitions = [...new Set(members.flatMap((m) => m.spec.topics))].sort().flatMap((topic) =>
        Array.from({ length: this.partitionsOf(topic) ?? 0 }, (_, partition) => ({ topic, partition })),
      );
      const assignment = new Map<GroupMember, TopicPartition[]>(members.map((m) => [m, []]));
      partitions.forEach((partition, i) => assignment.get(members[i % members.length])!.push(partition));
      for (const [member, owned] of assignment) {
        const keep = new Set(owned.map(partitionKeyOf));
        await Promise.all(member.owned().filter((key) => !keep.has(key)).map((key) => member.release(key)));
      }
      for (const [member, owned] of assignment) {
        owned.forEach((partition) => member.acquire(partition));
        member.spec.onAssignment?.(owned);
      }
    });
  }

  private serialized(task: () => Promise<void>): Promise<void> {
    const run = this.rebalancing.then(task);
    this.rebalancing = run.catch(() => undefined);
    return run;
  }

  private waitForRecords(partition: TopicPartition, onWake: (wake: () => void) => void): Promise<void> {
    const key = partitionKeyOf(partition);
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.produced.off(key, finish);
        resolve();
      };
      const timer = setTimeout(finish, IDLE_POLL_MS);
      this.produced.once(key, finish);
      onWake(finish);
    });
  }

  private toRecord(topic: string, row: RecordRow): ConsumedRecord {
    return {
      topic,
      partition: row.partition,
      offset: row.offset,
      key: row.key,
      value: new Uint8Array(row.value),
      timestamp: row.ts,
      ...(row.headers ? { headers: JSON.parse(row.headers) as Record<string, string> } : {}),
    };
  }

  private createTopic(topic: TopicSpec): number {
    this.database
      .prepare('INSERT INTO stream_topics (name, partitions, retention_ms) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET partitions = max(partitions, excluded.partitions)')
      .run(topic.name, topic.partitions, topic.retentionMs ?? DEFAULT_RETENTION_MS);
    this.partitionCounts.delete(topic.name);
    return this.partitionsOf(topic.name)!;
  }

  private partitionsOf(topic: string): number | undefined {
    let partitions = this.partitionCounts.get(topic);
    if (partitions === undefined) {
      partitions = (this.statements.topicPartitions.get(topic) as { partitions: number } | undefined)?.partitions;
      if (partitions !== undefined) this.partitionCounts.set(topic, partitions);
    }
    return partitions;
  }

  private takeOffset(topic: string, partition: number): number {
    const offset = this.takeOffsetPeek({ topic, partition });
    this.nextOffsets.set(`${topic}\u0000${partition}`, offset + 1);
    return offset;
  }

  private takeOffsetPeek(partition: TopicPartition): number {
    const key = partitionKeyOf(partition);
    let next = this.nextOffsets.get(key);
    if (next === undefined) {
      const row = this.database.prepare('SELECT max(offset) AS last FROM stream_records WHERE topic = ? AND partition = ?').get(partition.topic, partition.partition) as { last: number | null };
      const committed = this.database.prepare('SELECT max(next_offset) AS last FROM stream_offsets WHERE topic = ? AND partition = ?').get(partition.topic, partition.partition) as { last: number | null };
      // Offsets never go backwards, even when retention removed every record of the partition.
      next = Math.max(row.last === null ? 0 : row.last + 1, committed.last ?? 0);
      this.nextOffsets.set(key, next);
    }
    return next;
  }

  private lowestOffset(partition: TopicPartition): number {
    const row = this.database.prepare('SELECT min(offset) AS first FROM stream_records WHERE topic = ? AND partition = ?').get(partition.topic, partition.partition) as { first: number | null };
    return row.first ?? this.takeOffsetPeek(partition);
  }

  private readCommitted(group: string, partition: TopicPartition): number | null {
    const row = this.statements.committedOffset.get(group, partition.topic, partition.partition) as { next_offset: number } | undefined;
    return row?.next_offset ?? null;
  }

  private commit(group: string, partition: TopicPartition, nextOffset: number): void {
    this.statements.commitOffset.run(group, partition.topic, partition.partition, nextOffset);
  }

  private trimExpired(): void {
    const now = Date.now();
    this.database.prepare('DELETE FROM stream_records WHERE ts < ? - (SELECT retention_ms FROM stream_topics WHERE name = stream_records.topic)').run(now);
  }
}

import { KvWatchInclude, NatsError, type KV } from 'nats';
import { natsFailure, NatsConnection, type NatsConnectionOptions } from '../bus/nats-connection';
import { assertValidBucketName, assertValidKey, assertValidPattern, assertValidRevision } from './kv-key';
import type { BucketSpec, KeyValue, KvBucket, KvChange, KvEntry, KvWatch } from './kv.port';

/** How long an operation waits for the very first connection before giving up. */
const FIRST_CONNECT_WAIT_MS = 5000;
/** JetStream's "wrong last sequence": the compare-and-set precondition of create/update failed. */
const WRONG_LAST_SEQUENCE = 10071;

function isConflict(error: unknown): boolean {
  return error instanceof NatsError && error.api_error?.err_code === WRONG_LAST_SEQUENCE;
}

/** One JetStream KV bucket (history 1, so a put replaces the previous value and restarts its TTL). */
class NatsBucket implements KvBucket {
  public constructor(
    public readonly name: string,
    private readonly kv: KV,
    private readonly connection: NatsConnection,
    private readonly watches: Set<KvWatch>,
  ) {}

  public async put(key: string, value: Uint8Array): Promise<number> {
    assertValidKey(key);
    return this.run(() => this.kv.put(key, value));
  }

  public async create(key: string, value: Uint8Array): Promise<number | null> {
    assertValidKey(key);
    return this.run(async () => {
      try {
        return await this.kv.create(key, value);
      } catch (error) {
        if (isConflict(error)) return null;
        throw error;
      }
    });
  }

  public async update(key: string, value: Uint8Array, revision: number): Promise<number | null> {
    assertValidKey(key);
    assertValidRevision(revision);
    return this.run(async () => {
      try {
        return await this.kv.update(key, value, revision);
      } catch (error) {
        if (isConflict(error)) return null;
        throw error;
      }
    });
  }

  public async get(key: string): Promise<KvEntry | null> {
    assertValidKey(key);
    const entry = await this.run(() => this.kv.get(key));
    if (!entry || entry.operation !== 'PUT') return null;
    return { key, value: entry.value, revision: entry.revision };
  }

  public async delete(key: string): Promise<void> {
    assertValidKey(key);
    await this.run(() => this.kv.delete(key));
  }

  public async keys(pattern = '>'): Promise<string[]> {
    assertValidPattern(pattern);
    return this.run(async () => {
      const keys: string[] = [];
      for await (const key of await this.kv.keys(pattern)) keys.push(key);
      return keys.sort();
    });
  }

  public async watch(pattern: string, onChange: (change: KvChange) => void): Promise<KvWatch> {
    assertValidPattern(pattern);
    const changes = await this.run(() => this.kv.watch({ key: pattern, include: KvWatchInclude.UpdatesOnly }));
    let active = true;
    void (async () => {
      for await (const entry of changes) {
        if (!active) break;
        const change: KvChange =
          entry.operation === 'PUT'
            ? { key: entry.key, operation: 'put', value: entry.value, revision: entry.revision }
            : { key: entry.key, operation: 'delete', revision: entry.revision };
        try {
          onChange(change);
        } catch (error) {
          this.connection.logger.error({ err: error, bucket: this.name, key: entry.key }, 'kv watch callback failed');
        }
      }
    })().catch((error: unknown) => this.connection.logger.error({ err: error, bucket: this.name, pattern }, 'kv watch ended with an error'));
    const watch: KvWatch = {
      stop: async () => {
        active = false;
        this.watches.delete(watch);
        changes.stop();
      },
    };
    this.watches.add(watch);
    return watch;
  }

  /** Fails fast while the connection is down rather than waiting for JetStream's timeout. */
  private async run<T>(operation: () => Promise<T>): Promise<T> {
    this.connection.assertUp();
    try {
      return await operation();
    } catch (error) {
      throw natsFailure(error);
    }
  }
}

/** Cluster KeyValue adapter: NATS JetStream KV buckets (bucket max age = the TTL). */
export class NatsKeyValue implements KeyValue {
  public readonly kind = 'nats' as const;
  private readonly connection: NatsConnection;
  private readonly ownsConnection: boolean;
  private readonly buckets = new Map<string, Promise<KvBucket>>();
  private readonly watches = new Set<KvWatch>();

  /** Opens its own connection from `{ url, name, logger }`, or uses a shared one, which it leaves open on close. */
  public constructor(options: NatsConnectionOptions | NatsConnection) {
    this.ownsConnection = !(options instanceof NatsConnection);
    this.connection = options instanceof NatsConnection ? options : new NatsConnection(options);
  }

  /** Creates the bucket when missing; an existing bucket keeps the TTL it was created with. */
  public async bucket(spec: BucketSpec): Promise<KvBucket> {
    assertValidBucketName(spec.name);
    let bucket = this.buckets.get(spec.name);
    if (!bucket) {
      bucket = this.open(spec);
      this.buckets.set(spec.name, bucket);
      bucket.catch(() => this.buckets.delete(spec.name));
    }
    return bucket;
  }

  public async ping(): Promise<void> {
    await this.connection.ping();
  }

  public async close(): Promise<void> {
    await Promise.all([...this.watches].map((watch) => watch.stop()));
    this.buckets.clear();
    if (this.ownsConnection) await this.connection.close();
  }

  private async open(spec: BucketSpec): Promise<KvBucket> {
    const connection = await this.connection.connection(FIRST_CONNECT_WAIT_MS);
    this.connection.assertUp();
    try {
      const kv = await connection.jetstream().views.kv(spec.name, { history: 1, ...(spec.ttlMs ? { ttl: spec.ttlMs } : {}) });
      return new NatsBucket(spec.name, kv, this.connection, this.watches);
    } catch (error) {
      throw natsFailure(error);
    }
  }
}

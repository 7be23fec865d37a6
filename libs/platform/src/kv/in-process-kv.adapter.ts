import { subjectMatches } from '../bus/subject-match';
import type { PlatformLogger } from '../logging/logger';
import { assertValidBucketName, assertValidKey, assertValidPattern, assertValidRevision } from './kv-key';
import type { BucketSpec, KeyValue, KvBucket, KvChange, KvEntry, KvWatch } from './kv.port';

const SWEEP_INTERVAL_MS = 60_000;

interface Stored {
  value: Uint8Array;
  revision: number;
  expiresAt: number | undefined;
}

interface Watcher {
  pattern: string;
  active: boolean;
  onChange(change: KvChange): void;
}

/** One bucket held in memory; expired entries are dropped when next looked at or swept. */
class InProcessBucket implements KvBucket {
  private readonly entries = new Map<string, Stored>();
  private readonly watchers = new Set<Watcher>();
  private revision = 0;

  public constructor(
    public readonly name: string,
    private readonly ttlMs: number | undefined,
    private readonly logger: PlatformLogger | undefined,
  ) {}

  public async put(key: string, value: Uint8Array): Promise<number> {
    assertValidKey(key);
    return this.store(key, value);
  }

  public async create(key: string, value: Uint8Array): Promise<number | null> {
    assertValidKey(key);
    if (this.live(key)) return null;
    return this.store(key, value);
  }

  public async update(key: string, value: Uint8Array, revision: number): Promise<number | null> {
    assertValidKey(key);
    assertValidRevision(revision);
    if (this.live(key)?.revision !== revision) return null;
    return this.store(key, value);
  }

  public async get(key: string): Promise<KvEntry | null> {
    assertValidKey(key);
    const stored = this.live(key);
    return stored ? { key, value: stored.value.slice(), revision: stored.revision } : null;
  }

  public async delete(key: string): Promise<void> {
    assertValidKey(key);
    this.entries.delete(key);
    this.notify({ key, operation: 'delete', revision: ++this.revision });
  }

  public async keys(pattern = '>'): Promise<string[]> {
    assertValidPattern(pattern);
    return [...this.entries.keys()].filter((key) => subjectMatches(pattern, key) && this.live(key)).sort();
  }

  public async watch(pattern: string, onChange: (change: KvChange) => void): Promise<KvWatch> {
    assertValidPattern(pattern);
    const watcher: Watcher = { pattern, active: true, onChange };
    this.watchers.add(watcher);
    return {
      stop: async () => {
        watcher.active = false;
        this.watchers.delete(watcher);
      },
    };
  }

  public sweep(): void {
    for (const key of this.entries.keys()) this.live(key);
  }

  public stopWatches(): void {
    for (const watcher of this.watchers) watcher.active = false;
    this.watchers.clear();
  }

  private store(key: string, value: Uint8Array): number {
    const revision = ++this.revision;
    const expiresAt = this.ttlMs === undefined ? undefined : Date.now() + this.ttlMs;
    this.entries.set(key, { value: value.slice(), revision, expiresAt });
    this.notify({ key, operation: 'put', value, revision });
    return revision;
  }

  private live(key: string): Stored | undefined {
    const stored = this.entries.get(key);
    if (stored?.expiresAt !== undefined && stored.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return stored;
  }

  private notify(change: KvChange): void {
    for (const watcher of this.watchers) {
      if (!subjectMatches(watcher.pattern, change.key)) continue;
      const delivered = change.value ? { ...change, value: change.value.slice() } : change;
      setImmediate(() => {
        if (!watcher.active) return;
        try {
          watcher.onChange(delivered);
        } catch (error) {
          this.logger?.error({ err: error, bucket: this.name, key: change.key }, 'kv watch callback failed');
        }
      });
    }
  }
}

/** In-process KeyValue adapter: buckets in memory, for the standalone mode and tests. */
export class InProcessKeyValue implements KeyValue {
  public readonly kind = 'in-process' as const;
  private readonly buckets = new Map<string, InProcessBucket>();
  private readonly sweepTimer: NodeJS.Timeout;

  public constructor(private readonly options: { logger?: PlatformLogger } = {}) {
    this.sweepTimer = setInterval(() => this.buckets.forEach((bucket) => bucket.sweep()), SWEEP_INTERVAL_MS);
    this.sweepTimer.unref();
  }

  /** An existing bucket keeps the TTL it was created with, as in NATS. */
  public async bucket(spec: BucketSpec): Promise<KvBucket> {
    assertValidBucketName(spec.name);
    let bucket = this.buckets.get(spec.name);
    if (!bucket) {
      bucket = new InProcessBucket(spec.name, spec.ttlMs, this.options.logger);
      this.buckets.set(spec.name, bucket);
    }
    return bucket;
  }

  public async ping(): Promise<void> {}

  public async close(): Promise<void> {
    clearInterval(this.sweepTimer);
    this.buckets.forEach((bucket) => bucket.stopWatches());
    this.buckets.clear();
  }
}

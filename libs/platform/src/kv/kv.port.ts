/**
 * KV port: buckets of small values with an optional per-bucket TTL (an entry expires `ttlMs`
 * after its last put) and watches (NATS JetStream KV's model). Keys are dot-separated tokens of
 * `[A-Za-z0-9_=-]`; watches take the bus wildcards `*` and `>`.
 * Both adapters must pass `kv.conformance.ts`.
 */
export interface KvEntry {
  key: string;
  value: Uint8Array;
  revision: number;
}

export interface KvChange {
  key: string;
  operation: 'put' | 'delete';
  /** Present for puts. */
  value?: Uint8Array;
  revision: number;
}

export interface KvWatch {
  stop(): Promise<void>;
}

export interface KvBucket {
  readonly name: string;
  /** Stores the value and returns its revision. */
  put(key: string, value: Uint8Array): Promise<number>;
  /** Stores only if the key is absent; returns null when it exists. */
  create(key: string, value: Uint8Array): Promise<number | null>;
  /** Stores only if the current revision is `revision`; returns null on a conflict. */
  update(key: string, value: Uint8Array, revision: number): Promise<number | null>;
  get(key: string): Promise<KvEntry | null>;
  delete(key: string): Promise<void>;
  /** Current keys matching the pattern (default `>`). */
  keys(pattern?: string): Promise<string[]>;
  /** Changes after the watch starts, for keys matching the pattern. */
  watch(pattern: string, onChange: (change: KvChange) => void): Promise<KvWatch>;
}

export interface BucketSpec {
  name: string;
  ttlMs?: number;
}

export interface KeyValue {
  readonly kind: 'nats' | 'in-process';
  bucket(spec: BucketSpec): Promise<KvBucket>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

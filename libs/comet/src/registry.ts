/**
 * The connections of one gateway node by device token, sharded into buckets by a hash of the
 * token (goim's bucket.go, STYLE 15) so that no single map grows with the whole node and a sweep
 * or a fan-out can walk one bucket at a time.
 */
export class ConnectionRegistry<S> {
  private readonly buckets: Map<string, S>[];
  private count = 0;

  public constructor(bucketCount = 32) {
    if (!Number.isInteger(bucketCount) || bucketCount < 1) throw new RangeError(`bucketCount must be a positive integer, got ${bucketCount}`);
    this.buckets = Array.from({ length: bucketCount }, () => new Map<string, S>());
  }

  public get size(): number {
    return this.count;
  }

  public get bucketCount(): number {
    return this.buckets.length;
  }

  /** Which bucket a key lives in (FNV-1a of its UTF-16 code units). */
  public bucketOf(key: string): number {
    let hash = 0x811c9dc5;
    for (let i = 0; i < key.length; i++) {
      hash ^= key.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193);
    }
    return (hash >>> 0) % this.buckets.length;
  }

  /** Registers `session` under `key`; returns the session it replaces, if any. */
  public put(key: string, session: S): S | undefined {
    const bucket = this.buckets[this.bucketOf(key)]!;
    const previous = bucket.get(key);
    bucket.set(key, session);
    if (previous === undefined) this.count++;
    return previous;
  }

  public get(key: string): S | undefined {
    return this.buckets[this.bucketOf(key)]!.get(key);
  }

  /** Removes `key` only while it still names `session` (a replaced session must not remove its successor). */
  public remove(key: string, session: S): boolean {
    const bucket = this.buckets[this.bucketOf(key)]!;
    if (bucket.get(key) !== session) return false;
    bucket.delete(key);
    this.count--;
    return true;
  }

  /** Sizes of the buckets, for metrics and tests. */
  public bucketSizes(): number[] {
    return this.buckets.map((b) => b.size);
  }

  /** Every session, bucket by bucket; safe against removals during the walk (each bucket is copied). */
  public *values(): IterableIterator<S> {
    for (const bucket of this.buckets) yield* [...bucket.values()];
  }
}

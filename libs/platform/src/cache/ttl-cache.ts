/** Entries kept before expired ones are swept out. */
const SWEEP_ABOVE = 10_000;

/**
 * Answers of an asynchronous lookup, each used for `ttlMs`. Concurrent gets of one key share one
 * load; a failed load is not remembered (the next get loads again), nor is an answer `remember`
 * refuses.
 */
export class TtlCache<T> {
  private readonly entries = new Map<string, { value: Promise<T>; expiresAt: number }>();

  public constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    private readonly remember: (value: T) => boolean = () => true,
  ) {}

  public get(key: string, load: () => Promise<T>): Promise<T> {
    const now = this.now();
    const cached = this.entries.get(key);
    if (cached && cached.expiresAt > now) return cached.value;
    const value = load();
    const entry = { value, expiresAt: now + this.ttlMs };
    this.entries.set(key, entry);
    const forget = () => this.entries.get(key) === entry && this.entries.delete(key);
    value.then((loaded) => !this.remember(loaded) && forget(), forget);
    if (this.entries.size > SWEEP_ABOVE) for (const [stale, old] of this.entries) if (old.expiresAt <= now) this.entries.delete(stale);
    return value;
  }

  /** Forgets the answer for `key`: the next get loads again. */
  public forget(key: string): void {
    this.entries.delete(key);
  }

  /** Forgets every answer. */
  public clear(): void {
    this.entries.clear();
  }
}

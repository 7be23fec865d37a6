export interface AppEntry {
  status: 'active' | 'disabled';
  clientKey: string;
}

/** Where the gateway checks the app and client key of a handshake. */
export interface AppDirectory {
  find(workspaceId: string, appId: string): Promise<AppEntry | null>;
}

/** How long a cached app answer is used (docs/comet.md): a disabled app or a rotated client key takes effect within it. */
export const APP_CACHE_TTL_MS = 5000;

/**
 * Remembers each answer of a directory for `ttlMs`, unknown apps included, so a connection storm
 * (or a stream of tenant requests) costs one store read per app and interval instead of one per
 * handshake. Disabling an app or rotating its client key reaches new handshakes within `ttlMs`.
 * Generic over what the source answers: sync-core caches whole tenant apps with it.
 */
export class CachedAppDirectory<T = AppEntry> {
  private readonly entries = new Map<string, { entry: Promise<T | null>; expiresAt: number }>();

  public constructor(
    private readonly source: { find(workspaceId: string, appId: string): Promise<T | null> },
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  public find(workspaceId: string, appId: string): Promise<T | null> {
    const key = `${workspaceId}_${appId}`;
    const now = this.now();
    const cached = this.entries.get(key);
    if (cached && cached.expiresAt > now) return cached.entry;
    const entry = this.source.find(workspaceId, appId);
    this.entries.set(key, { entry, expiresAt: now + this.ttlMs });
    // A failed read is not remembered: the next handshake asks again.
    entry.catch(() => this.entries.delete(key));
    if (this.entries.size > 10_000) this.evictExpired(now);
    return entry;
  }

  /** Forgets every answer: the next find of each app reads the source. */
  public clear(): void {
    this.entries.clear();
  }

  private evictExpired(now: number): void {
    for (const [key, cached] of this.entries) if (cached.expiresAt <= now) this.entries.delete(key);
  }
}

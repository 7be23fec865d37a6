import { TtlCache } from '@pushsync/platform';

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
  private readonly cache: TtlCache<T | null>;

  public constructor(
    private readonly source: { find(workspaceId: string, appId: string): Promise<T | null> },
    ttlMs: number,
    now: () => number = Date.now,
  ) {
    this.cache = new TtlCache(ttlMs, now);
  }

  public find(workspaceId: string, appId: string): Promise<T | null> {
    return this.cache.get(`${workspaceId}_${appId}`, () => this.source.find(workspaceId, appId));
  }

  /** Forgets every answer: the next find of each app reads the source. */
  public clear(): void {
    this.cache.clear();
  }
}

import { AppNotFoundError } from '../tenancy.errors';
import { newPlatformKeyPair, platformSignerOf, type PlatformKeyPair, type PlatformSigner } from './platform-key';
import type { TenantApp } from './tenant-app';
import type { TenantAppRepository } from './tenant-app.repository';

/** Hands out each app's platform key pair, creating it for apps that predate platform keys. */
export class PlatformKeys {
  /** Concurrent first uses in this process share one key generation. */
  private readonly pending = new Map<string, Promise<PlatformKeyPair>>();

  public constructor(
    private readonly apps: TenantAppRepository,
    private readonly now: () => number,
  ) {}

  public async keyOf(app: TenantApp): Promise<PlatformKeyPair> {
    if (app.platformKey) return app.platformKey;
    const inFlight = this.pending.get(app._id);
    if (inFlight) return inFlight;
    const created = this.createOnce(app).finally(() => this.pending.delete(app._id));
    this.pending.set(app._id, created);
    return created;
  }

  public async signerFor(app: TenantApp): Promise<PlatformSigner> {
    return platformSignerOf({ platformKey: await this.keyOf(app) });
  }

  public async publicKeyOf(app: TenantApp): Promise<string> {
    return (await this.keyOf(app)).publicKeyPem;
  }

  /**
   * Other processes may race us: the key is stored only where none is, and the stored one is
   * returned, so every caller ends up with the same pair.
   */
  private async createOnce(app: TenantApp): Promise<PlatformKeyPair> {
    const stored = await this.apps.find(app.workspaceId, app.appId);
    if (!stored) throw new AppNotFoundError(app._id);
    if (stored.platformKey) return stored.platformKey;
    await this.apps.setPlatformKeyIfAbsent(app.workspaceId, app.appId, await newPlatformKeyPair(this.now()));
    const winner = await this.apps.find(app.workspaceId, app.appId);
    if (!winner?.platformKey) throw new AppNotFoundError(app._id);
    return winner.platformKey;
  }
}

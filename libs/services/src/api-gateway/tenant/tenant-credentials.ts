import { Inject, Injectable } from '@nestjs/common';
import { APP_CACHE_TTL_MS, CachedAppDirectory } from '@pushsync/comet';
import { TtlCache, type Bus, type PlatformLogger } from '@pushsync/platform';
import { BUS, CLOCK, LOGGER, Lifecycle, type Clock } from '@pushsync/runtime';
import type { AccessKey, TenantApp } from '@pushsync/tenancy';
import { TenancyRepositories } from '../../shared/tenancy-repositories';

/** Published (payload: the instanceId) by the api-gateway that changed what authenticates an app's requests. */
export const APP_CHANGED_SUBJECT = 'tenancy.app-changed';

/**
 * The access keys and apps tenant requests are authenticated with, each answer used for up to
 * APP_CACHE_TTL_MS: two store reads per request became about one per key and interval. An admin
 * change (status, settings, client key, a revoked key) clears this node's cache before the admin
 * call answers, and every other api-gateway's when the bus message arrives; a lost message is
 * bounded by the interval. Unknown keys are not remembered.
 */
@Injectable()
export class TenantCredentials {
  private readonly keys: TtlCache<{ key: AccessKey; app: TenantApp } | null>;
  private readonly apps: CachedAppDirectory<TenantApp>;

  public constructor(
    private readonly repositories: TenancyRepositories,
    @Inject(BUS) private readonly bus: Bus,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: PlatformLogger,
    lifecycle: Lifecycle,
  ) {
    this.keys = new TtlCache(APP_CACHE_TTL_MS, () => this.clock.now(), (found) => found !== null);
    this.apps = this.repositories.cachedApps(() => this.clock.now());
    lifecycle.register({
      name: 'tenant credential cache',
      start: async () => {
        await this.bus.subscribe(APP_CHANGED_SUBJECT, () => this.forgetAll());
      },
    });
  }

  /** An active access key and its app, or null. */
  public keyWithApp(accessKeyId: string): Promise<{ key: AccessKey; app: TenantApp } | null> {
    return this.keys.get(accessKeyId, () => this.lookUp(accessKeyId));
  }

  public app(workspaceId: string, appId: string): Promise<TenantApp | null> {
    return this.apps.find(workspaceId, appId);
  }

  /** After an admin change to the app: this node forgets at once, the others when the message arrives. */
  public async appChanged(instanceId: string): Promise<void> {
    this.forgetAll();
    await this.bus.publish(APP_CHANGED_SUBJECT, Buffer.from(instanceId, 'utf8')).catch((error: unknown) => {
      this.logger.warn({ err: error, instanceId }, `could not tell the other api-gateways that the app changed; their caches expire within ${APP_CACHE_TTL_MS} ms`);
    });
  }

  /** Admin changes are rare: everything is read again, which keeps this simple. */
  private forgetAll(): void {
    this.keys.clear();
    this.apps.clear();
  }

  private async lookUp(accessKeyId: string): Promise<{ key: AccessKey; app: TenantApp } | null> {
    const { accessKeys, apps } = this.repositories.repositories;
    const key = await accessKeys.findActive(accessKeyId);
    const app = key && (await apps.find(key.workspaceId, key.appId));
    return key && app ? { key, app } : null;
  }
}

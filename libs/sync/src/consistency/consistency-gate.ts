import type { TenantApp } from '@pushsync/tenancy';
import type { ConsistencyGate, DeviceApp } from '../delivery/sync-delivery';
import type { UserConsistency } from './user-consistency';

/**
 * User consistency as delivery asks for it: by app reference. The app record (validation URL,
 * platform key) is read when a validation runs; an app that is gone validates nobody.
 */
export class AppConsistencyGate implements ConsistencyGate {
  public constructor(
    private readonly consistency: UserConsistency,
    private readonly apps: { find(workspaceId: string, appId: string): Promise<TenantApp | null> },
  ) {}

  public async allows(app: DeviceApp, token: string, userId: string): Promise<boolean> {
    const tenantApp = await this.apps.find(app.workspaceId, app.appId);
    return tenantApp !== null && this.consistency.gate(tenantApp, token, userId);
  }

  public async onConnect(app: DeviceApp, token: string, userId: string, sessionId: string | null): Promise<void> {
    const tenantApp = await this.apps.find(app.workspaceId, app.appId);
    if (tenantApp) await this.consistency.onConnect(tenantApp, token, userId, sessionId ?? '');
  }

  public async onBind(app: DeviceApp, token: string, userId: string, sessionId: string | null): Promise<void> {
    const tenantApp = await this.apps.find(app.workspaceId, app.appId);
    if (tenantApp) await this.consistency.onBind(tenantApp, token, userId, sessionId ?? '');
  }
}

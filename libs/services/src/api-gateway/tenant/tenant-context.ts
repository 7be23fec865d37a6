import type { TenantApp } from '@pushsync/tenancy';

/** Who a tenant request is from: the app, and the access key when the request was signed. */
export interface TenantContext {
  app: TenantApp;
  accessKeyId: string | null;
}

export interface ClaimedApp {
  appId?: string;
  workspaceId?: string;
}

/** Who a tenant change is recorded as: the access key, or the app when its signature switch is off. */
export function operatorOf(tenant: TenantContext): string {
  return tenant.accessKeyId ?? `unsigned:${tenant.app._id}`;
}

import { DuplicateKeyError, NotFoundError, ValidationError } from '@pushsync/platform';
import { newPlatformKeyPair } from '../apps/platform-key';
import type { PlatformKeys } from '../apps/platform-keys';
import { instanceIdOf, newClientKey, type TenantApp } from '../apps/tenant-app';
import type { TenantAppRepository } from '../apps/tenant-app.repository';
import { newAccessKeyId, newAccessKeySecret, type AccessKey } from '../keys/access-key';
import type { AccessKeyRepository } from '../keys/access-key.repository';
import { diffOf, type OperationAction } from '../operations/operation-record';
import type { OperationRecordRepository } from '../operations/operation-record.repository';
import { AppExistsError, AppNotFoundError } from '../tenancy.errors';
import { hashSecret, newAdminCredential, type AdminKey, type AdminRole } from './admin-key';
import type { AdminKeyRepository } from './admin-key.repository';
import { requirePermission, visibleApps, type Operator } from './operator';

export interface AppSettingsChange {
  name?: string;
  apiEnabled?: boolean;
  signatureEnabled?: boolean;
  rsaPublicKey?: string | null;
  timeZone?: string;
  retentionDays?: number;
  syncValidationUrl?: string | null;
  receiptStatus?: boolean;
  receiptUrl?: string | null;
}

/** The action a changed setting is recorded as; the signature switch is the MSS console's Open / Close Signature (mss.md §5.5). */
function settingAction(field: keyof AppSettingsChange, to: unknown): OperationAction {
  if (field === 'apiEnabled') return 'API_SWITCH_CHANGE';
  if (field === 'signatureEnabled') return to === true ? 'OPEN_SIGNATURE' : 'CLOSE_SIGNATURE';
  return 'APP_SETTINGS_CHANGE';
}

/** The admin API's use cases: apps, their switches and keys, operator keys; each change leaves an operation record. */
export class TenantAdministration {
  public constructor(
    private readonly apps: TenantAppRepository,
    private readonly accessKeys: AccessKeyRepository,
    private readonly adminKeys: AdminKeyRepository,
    private readonly operations: OperationRecordRepository,
    private readonly platformKeys: PlatformKeys,
    private readonly now: () => number,
    /** Told after a change to what authenticates the app's requests or connections (caches forget it). */
    private readonly appChanged: (instanceId: string) => Promise<void> = async () => undefined,
  ) {}

  public async createApp(operator: Operator, input: { appId: string; workspaceId: string; name?: string }): Promise<TenantApp> {
    requirePermission(operator, 'administer');
    const now = this.now();
    const app: TenantApp = {
      _id: instanceIdOf(input.workspaceId, input.appId),
      appId: input.appId,
      workspaceId: input.workspaceId,
      name: input.name ?? input.appId,
      status: 'active',
      apiEnabled: true,
      signatureEnabled: true,
      clientKey: newClientKey(),
      rsaPublicKey: null,
      timeZone: '+08:00',
      retentionDays: 30,
      syncValidationUrl: null,
      receiptStatus: false,
      receiptUrl: null,
      platformKey: await newPlatformKeyPair(now),
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.apps.insert(app);
    } catch (error) {
      if (error instanceof DuplicateKeyError) throw new AppExistsError(app._id);
      throw error;
    }
    await this.record(operator, app._id, 'APP_CREATE', { appId: app.appId, workspaceId: app.workspaceId, name: app.name });
    return app;
  }

  public async listApps(operator: Operator): Promise<TenantApp[]> {
    requirePermission(operator, 'read');
    return this.apps.list(visibleApps(operator));
  }

  public async getApp(operator: Operator, workspaceId: string, appId: string): Promise<TenantApp> {
    requirePermission(operator, 'read', instanceIdOf(workspaceId, appId));
    return this.existingApp(workspaceId, appId);
  }

  public async setStatus(operator: Operator, workspaceId: string, appId: string, status: TenantApp['status']): Promise<TenantApp> {
    requirePermission(operator, 'administer');
    const updated = await this.apps.update(workspaceId, appId, { status, updatedAt: this.now() });
    if (!updated) throw new AppNotFoundError(instanceIdOf(workspaceId, appId));
    await this.record(operator, updated._id, status === 'active' ? 'APP_ENABLE' : 'APP_DISABLE', {});
    await this.appChanged(updated._id);
    return updated;
  }

  public async changeSettings(operator: Operator, workspaceId: string, appId: string, change: AppSettingsChange): Promise<TenantApp> {
    const instanceId = instanceIdOf(workspaceId, appId);
    requirePermission(operator, 'operate', instanceId);
    const stored = await this.existingApp(workspaceId, appId);
    // Apps created before these settings existed lack the fields; for the diff that means null / off.
    const before = { ...stored, syncValidationUrl: stored.syncValidationUrl ?? null, receiptStatus: stored.receiptStatus ?? false, receiptUrl: stored.receiptUrl ?? null };
    const receiptUrlAfter = change.receiptUrl === undefined ? before.receiptUrl : change.receiptUrl;
    if ((change.receiptStatus ?? before.receiptStatus) && receiptUrlAfter === null) throw new ValidationError('receiptUrl is required while receiptStatus is on');
    const diff = diffOf(before, change);
    if (Object.keys(diff).length === 0) return stored;
    const updated = await this.apps.update(workspaceId, appId, { ...change, updatedAt: this.now() });
    if (!updated) throw new AppNotFoundError(instanceId);
    for (const [field, fieldDiff] of Object.entries(diff)) {
      await this.record(operator, instanceId, settingAction(field as keyof AppSettingsChange, fieldDiff.to), { [field]: field === 'rsaPublicKey' ? { from: '[key]', to: '[key]' } : fieldDiff });
    }
    await this.appChanged(instanceId);
    return updated;
  }

  /** The SPKI PEM tenants verify receipts and validation calls with; created on first use for older apps. */
  public async platformPublicKey(operator: Operator, workspaceId: string, appId: string): Promise<string> {
    requirePermission(operator, 'read', instanceIdOf(workspaceId, appId));
    return this.platformKeys.publicKeyOf(await this.existingApp(workspaceId, appId));
  }

  public async rotateClientKey(operator: Operator, workspaceId: string, appId: string): Promise<TenantApp> {
    const instanceId = instanceIdOf(workspaceId, appId);
    requirePermission(operator, 'operate', instanceId);
    const updated = await this.apps.update(workspaceId, appId, { clientKey: newClientKey(), updatedAt: this.now() });
    if (!updated) throw new AppNotFoundError(instanceId);
    await this.record(operator, instanceId, 'CLIENT_KEY_ROTATE', {});
    await this.appChanged(instanceId);
    return updated;
  }

  /** The secret is returned here and never again. */
  public async issueAccessKey(operator: Operator, workspaceId: string, appId: string): Promise<AccessKey> {
    const app = await this.existingApp(workspaceId, appId);
    requirePermission(operator, 'administer');
    const key: AccessKey = { _id: newAccessKeyId(), appId, workspaceId, secret: newAccessKeySecret(), status: 'active', createdAt: this.now(), revokedAt: null };
    await this.accessKeys.insert(key);
    await this.record(operator, app._id, 'ACCESS_KEY_ISSUE', { accessKeyId: key._id });
    return key;
  }

  public async listAccessKeys(operator: Operator, workspaceId: string, appId: string): Promise<AccessKey[]> {
    requirePermission(operator, 'read', instanceIdOf(workspaceId, appId));
    return this.accessKeys.listForApp(workspaceId, appId);
  }

  public async revokeAccessKey(operator: Operator, workspaceId: string, appId: string, accessKeyId: string): Promise<AccessKey> {
    requirePermission(operator, 'administer');
    const revoked = await this.accessKeys.revoke(workspaceId, appId, accessKeyId, this.now());
    if (!revoked) throw new NotFoundError(`active access key ${accessKeyId} of app ${instanceIdOf(workspaceId, appId)}`, 'ACCESS_KEY_NOT_FOUND');
    await this.record(operator, instanceIdOf(workspaceId, appId), 'ACCESS_KEY_REVOKE', { accessKeyId });
    await this.appChanged(instanceIdOf(workspaceId, appId));
    return revoked;
  }

  /** Returns the key and its one-time credential `<id>.<secret>`. */
  public async issueAdminKey(operator: Operator, input: { name: string; role: AdminRole; apps: string[] }): Promise<{ key: AdminKey; credential: string }> {
    requirePermission(operator, 'administer');
    const credential = newAdminCredential();
    const key: AdminKey = { _id: credential.id, name: input.name, role: input.role, apps: input.role === 'owner' ? [] : input.apps, secretHash: hashSecret(credential.secret), status: 'active', createdAt: this.now() };
    await this.adminKeys.insert(key);
    await this.record(operator, null, 'ADMIN_KEY_ISSUE', { id: key._id, role: key.role, apps: key.apps });
    return { key, credential: `${credential.id}.${credential.secret}` };
  }

  public async listAdminKeys(operator: Operator): Promise<AdminKey[]> {
    requirePermission(operator, 'administer');
    return this.adminKeys.list();
  }

  public async revokeAdminKey(operator: Operator, id: string): Promise<AdminKey> {
    requirePermission(operator, 'administer');
    const revoked = await this.adminKeys.revoke(id);
    if (!revoked) throw new NotFoundError(`active admin key ${id}`, 'ADMIN_KEY_NOT_FOUND');
    await this.record(operator, null, 'ADMIN_KEY_REVOKE', { id });
    return revoked;
  }

  private async existingApp(workspaceId: string, appId: string): Promise<TenantApp> {
    const app = await this.apps.find(workspaceId, appId);
    if (!app) throw new AppNotFoundError(instanceIdOf(workspaceId, appId));
    return app;
  }

  private record(operator: Operator, instanceId: string | null, action: OperationAction, details: Record<string, never> | Parameters<OperationRecordRepository['record']>[0]['details']): Promise<void> {
    return this.operations.record({ instanceId, operator: operator.id, action, at: this.now(), details });
  }
}

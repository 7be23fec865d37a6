import type { AccessKey, AdminKey, OperationRecord, TenantApp } from '@pushsync/tenancy';

export function mapApp(app: TenantApp) {
  return {
    instanceId: app._id,
    appId: app.appId,
    workspaceId: app.workspaceId,
    name: app.name,
    status: app.status,
    apiEnabled: app.apiEnabled,
    signatureEnabled: app.signatureEnabled,
    clientKey: app.clientKey,
    rsaPublicKey: app.rsaPublicKey,
    timeZone: app.timeZone,
    retentionDays: app.retentionDays,
    syncValidationUrl: app.syncValidationUrl ?? null,
    receiptStatus: app.receiptStatus ?? false,
    receiptUrl: app.receiptUrl ?? null,
    // Null until an app created before platform keys first uses its key.
    platformPublicKey: app.platformKey?.publicKeyPem ?? null,
    createdAt: new Date(app.createdAt).toISOString(),
    updatedAt: new Date(app.updatedAt).toISOString(),
  };
}

export function mapAccessKey(key: AccessKey) {
  return {
    accessKeyId: key._id,
    status: key.status,
    createdAt: new Date(key.createdAt).toISOString(),
    revokedAt: key.revokedAt === null ? null : new Date(key.revokedAt).toISOString(),
  };
}

export function mapAdminKey(key: AdminKey) {
  return { id: key._id, name: key.name, role: key.role, apps: key.apps, status: key.status, createdAt: new Date(key.createdAt).toISOString() };
}

export function mapOperation(record: OperationRecord) {
  return {
    id: record._id,
    instanceId: record.instanceId,
    operator: record.operator,
    action: record.action,
    time: new Date(record.at).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    details: record.details,
  };
}

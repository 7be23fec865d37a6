import { randomBytes } from 'node:crypto';
import type { StoredDocument } from '@pushsync/platform';
import type { PlatformKeyPair } from './platform-key';

/** A tenant app (DECISIONS D1): one (appId, workspaceId) pair and its switches and settings. */
export interface TenantApp extends StoredDocument {
  /** `workspaceId_appId`, the mPaaS instance id. */
  _id: string;
  appId: string;
  workspaceId: string;
  name: string;
  status: 'active' | 'disabled';
  /** Off: push APIs answer 3032. */
  apiEnabled: boolean;
  /** Off: requests of this app are not signature-checked on any tenant face. */
  signatureEnabled: boolean;
  /** Devices present it in the comet handshake. */
  clientKey: string;
  /** PEM; lets the app sign REST v1 calls with PS-RSA-SHA256. */
  rsaPublicKey: string | null;
  /** UTC offset such as `+08:00`, used by scheduling. */
  timeZone: string;
  /** Days an oplog or message is kept, 1-30. */
  retentionDays: number;
  /** Where user consistency validation calls go (mss.md §4); absent or null: none configured. */
  syncValidationUrl?: string | null;
  /** Receipts (mps.md §3.19) are sent only while on; absent on apps created before receipts: off. */
  receiptStatus?: boolean;
  /** Where receipts are POSTed; required while `receiptStatus` is on. Absent or null: none configured. */
  receiptUrl?: string | null;
  /** Absent on apps created before platform keys existed; PlatformKeys adds it at first use. */
  platformKey?: PlatformKeyPair;
  createdAt: number;
  updatedAt: number;
}

export const APP_ID = /^[A-Za-z0-9-]{1,64}$/;
export const WORKSPACE_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function instanceIdOf(workspaceId: string, appId: string): string {
  return `${workspaceId}_${appId}`;
}

/** Splits at the LAST `_`: app ids never contain one, workspace ids may. */
export function parseInstanceId(instanceId: string): { workspaceId: string; appId: string } | null {
  const at = instanceId.lastIndexOf('_');
  if (at <= 0 || at === instanceId.length - 1) return null;
  const workspaceId = instanceId.slice(0, at);
  const appId = instanceId.slice(at + 1);
  return APP_ID.test(appId) && WORKSPACE_ID.test(workspaceId) ? { workspaceId, appId } : null;
}

export function newClientKey(): string {
  return randomBytes(24).toString('base64url');
}

import { randomBytes } from 'node:crypto';
import type { StoredDocument } from '@pushsync/platform';

/**
 * A tenant server's credential for one app. The secret is kept (HMAC verification needs it)
 * and is shown to the operator only when the key is issued.
 */
export interface AccessKey extends StoredDocument {
  /** The AccessKey ID. */
  _id: string;
  appId: string;
  workspaceId: string;
  secret: string;
  status: 'active' | 'revoked';
  createdAt: number;
  revokedAt: number | null;
}

export function newAccessKeyId(): string {
  return `PSAK${randomBytes(10).toString('hex').toUpperCase()}`;
}

export function newAccessKeySecret(): string {
  return randomBytes(24).toString('base64url');
}

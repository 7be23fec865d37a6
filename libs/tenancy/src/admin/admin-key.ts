import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { StoredDocument } from '@pushsync/platform';

export const ADMIN_ROLES = ['owner', 'operator', 'viewer'] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];

/**
 * An operator credential (DECISIONS D1). Presented as `Authorization: Bearer <id>.<secret>`;
 * only a SHA-256 of the secret is stored.
 */
export interface AdminKey extends StoredDocument {
  _id: string;
  name: string;
  role: AdminRole;
  /** Instance ids an `operator` or `viewer` may act on; owners see every app. */
  apps: string[];
  secretHash: string;
  status: 'active' | 'revoked';
  createdAt: number;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function secretMatches(secret: string, expectedHash: string): boolean {
  const actual = Buffer.from(hashSecret(secret), 'hex');
  const expected = Buffer.from(expectedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export function newAdminCredential(): { id: string; secret: string } {
  return { id: `psadm_${randomBytes(6).toString('hex')}`, secret: randomBytes(24).toString('base64url') };
}

/** `<id>.<secret>`; ids never contain a dot. */
export function parseAdminCredential(token: string): { id: string; secret: string } | null {
  const at = token.indexOf('.');
  if (at <= 0 || at === token.length - 1) return null;
  return { id: token.slice(0, at), secret: token.slice(at + 1) };
}

import type { JsonValue, StoredDocument } from '@pushsync/platform';

/** Admin actions; the MSS console actions of mss.md join them in the sync issue. */
export const ADMIN_ACTIONS = [
  'APP_CREATE',
  'APP_DISABLE',
  'APP_ENABLE',
  'APP_SETTINGS_CHANGE',
  'API_SWITCH_CHANGE',
  'SIGNATURE_SWITCH_CHANGE',
  'CLIENT_KEY_ROTATE',
  'ACCESS_KEY_ISSUE',
  'ACCESS_KEY_REVOKE',
  'ADMIN_KEY_ISSUE',
  'ADMIN_KEY_REVOKE',
] as const;

export type OperationAction = (typeof ADMIN_ACTIONS)[number];

/** Who did what, when, to which app (DECISIONS D1): kept 180 days, listed newest first. */
export interface OperationRecord extends StoredDocument {
  instanceId: string | null;
  operator: string;
  action: OperationAction;
  /** Epoch ms, shown to the second. */
  at: number;
  /** For modifications: `{ field: { from, to } }`. */
  details: { [key: string]: JsonValue };
  expiresAt: number;
}

export const OPERATION_RETENTION_MS = 180 * 24 * 3600 * 1000;

/** The fields whose value a change moved, as `{ field: { from, to } }`. */
export function diffOf(before: object, after: object): Record<string, { from: JsonValue; to: JsonValue }> {
  const diff: Record<string, { from: JsonValue; to: JsonValue }> = {};
  for (const [field, to] of Object.entries(after)) {
    const from = (before as Record<string, unknown>)[field];
    if (to !== undefined && JSON.stringify(from) !== JSON.stringify(to)) diff[field] = { from: (from ?? null) as JsonValue, to: to as JsonValue };
  }
  return diff;
}

import type { JsonValue, StoredDocument } from '@pushsync/platform';

/** The 8 MSS console action types of mss.md §5.7 (New Configuration, Modify Configuration, ...). */
export const MSS_ACTIONS = [
  'NEW_CONFIGURATION',
  'MODIFY_CONFIGURATION',
  'DELETE_CONFIGURATION',
  'NEW_SYNC',
  'ONLINE_CONFIGURATION',
  'OFFLINE_CONFIGURATION',
  'OPEN_SIGNATURE',
  'CLOSE_SIGNATURE',
] as const;

/** Every operation record action (DECISIONS D1): the admin actions, then the MSS console actions. */
export const ADMIN_ACTIONS = [
  'APP_CREATE',
  'APP_DISABLE',
  'APP_ENABLE',
  'APP_SETTINGS_CHANGE',
  'API_SWITCH_CHANGE',
  'CLIENT_KEY_ROTATE',
  'ACCESS_KEY_ISSUE',
  'ACCESS_KEY_REVOKE',
  'ADMIN_KEY_ISSUE',
  'ADMIN_KEY_REVOKE',
  ...MSS_ACTIONS,
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

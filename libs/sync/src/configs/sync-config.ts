import type { StoredDocument } from '@pushsync/platform';

/** Push Range of mss.md §5.1: Specify Push (one user or device, the single API) or Global Push (the global API). */
export const PUSH_RANGES = ['SPECIFY', 'GLOBAL'] as const;
export type PushRange = (typeof PUSH_RANGES)[number];

/** Push Object (business dimension) of mss.md §5.1: User (linkToken = userId) or Equipment (linkToken = device id). */
export const PUSH_OBJECTS = ['USER', 'DEVICE'] as const;
export type PushObject = (typeof PUSH_OBJECTS)[number];

/** Re-push mode: Threshold is the only mode (mss.md §10.8 #43). */
export const REPUSH_MODES = ['THRESHOLD'] as const;
export type RepushMode = (typeof REPUSH_MODES)[number];

export const CONFIG_STATUSES = ['ONLINE', 'OFFLINE'] as const;
export type ConfigStatus = (typeof CONFIG_STATUSES)[number];

/** DECISIONS D3: `^[A-Za-z0-9-]{1,30}$` (the console suggests uppercase). */
export const BIZ_TYPE = /^[A-Za-z0-9-]{1,30}$/;
export const DESCRIPTION_MAX_CHARS = 500;
export const THRESHOLD_MIN = 1;
export const THRESHOLD_MAX = 10_000;
export const DEFAULT_THRESHOLD = 100;

/**
 * A sync configuration (mss.md §5.1, DECISIONS D3 "Configs"): one business scenario of an app,
 * keyed by bizType. Fields that do not apply are null: multiDevice for the device dimension of a
 * specify config, userConsistency for the device dimension, repushMode and threshold without
 * persistence. Global configs are always multi-device and persistent.
 */
export interface SyncConfig extends StoredDocument {
  _id: string;
  appId: string;
  workspaceId: string;
  /** The identifier ("Synchronous identification"); immutable. */
  bizType: string;
  description: string;
  /** Immutable. */
  pushRange: PushRange;
  /** Immutable. */
  pushObject: PushObject;
  /** Immutable; true = multi-device synchronization, false = single-device push; null = not applicable (device dimension). */
  multiDevice: boolean | null;
  /** Immutable ("Data persistence"). */
  persistent: boolean;
  /** Null without persistence. */
  repushMode: RepushMode | null;
  /** Backlog kept per target, 1-10000; null without persistence. Editable. */
  threshold: number | null;
  /** User consistency validation; null for the device dimension. Editable. */
  userConsistency: boolean | null;
  /** New configurations are published (ONLINE, mss.md §5.2); OFFLINE withholds delivery and the data APIs answer BIZ_NOT_ONLINE. */
  status: ConfigStatus;
  createdAt: number;
  updatedAt: number;
  /** Who last changed it (admin key id, or the tenant's access key id). */
  operator: string;
}

/** The fields a configuration is created with; optional ones follow the dependencies of D3. */
export interface NewSyncConfig {
  bizType?: string;
  description?: string;
  pushRange?: string;
  pushObject?: string;
  multiDevice?: boolean;
  persistent?: boolean;
  repushMode?: string;
  threshold?: number;
  userConsistency?: boolean;
}

/** A modification: editable fields, plus immutable ones that are refused when they differ from the stored value. */
export interface SyncConfigChange {
  description?: string;
  threshold?: number;
  userConsistency?: boolean;
  pushRange?: string;
  pushObject?: string;
  multiDevice?: boolean;
  persistent?: boolean;
  repushMode?: string;
}

export const EDITABLE_FIELDS = ['description', 'threshold', 'userConsistency'] as const;
export const IMMUTABLE_FIELDS = ['bizType', 'pushRange', 'pushObject', 'multiDevice', 'persistent', 'repushMode'] as const;

/** The configuration as details of an operation record and as the API shows it (no storage fields). */
export function configView(config: SyncConfig) {
  return {
    appId: config.appId,
    workspaceId: config.workspaceId,
    bizType: config.bizType,
    description: config.description,
    pushRange: config.pushRange,
    pushObject: config.pushObject,
    multiDevice: config.multiDevice,
    persistent: config.persistent,
    repushMode: config.repushMode,
    threshold: config.threshold,
    userConsistency: config.userConsistency,
    status: config.status,
    createdAt: config.createdAt,
    updatedAt: config.updatedAt,
    operator: config.operator,
  };
}

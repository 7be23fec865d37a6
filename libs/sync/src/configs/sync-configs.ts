import { DuplicateKeyError, type JsonValue } from '@pushsync/platform';
import { AppNotFoundError, diffOf, instanceIdOf, type OperationAction, type OperationRecordRepository, type TenantAppRepository } from '@pushsync/tenancy';
import {
  BIZ_TYPE,
  configView,
  DEFAULT_THRESHOLD,
  DESCRIPTION_MAX_CHARS,
  PUSH_OBJECTS,
  PUSH_RANGES,
  REPUSH_MODES,
  THRESHOLD_MAX,
  THRESHOLD_MIN,
  type ConfigStatus,
  type NewSyncConfig,
  type PushObject,
  type PushRange,
  type RepushMode,
  type SyncConfig,
  type SyncConfigChange,
} from './sync-config';
import { ArgsInvalidError, ArgsIsNullError, ConfigExistsError, ConfigFieldImmutableError, ConfigNotFoundError, ConfigOnlineError } from './sync-config.errors';
import { SyncConfigRepository } from './sync-config.repository';

/** The tenant app a request is about. */
export interface AppRef {
  workspaceId: string;
  appId: string;
}

const STATUS_ACTIONS: Record<ConfigStatus, OperationAction> = { ONLINE: 'ONLINE_CONFIGURATION', OFFLINE: 'OFFLINE_CONFIGURATION' };

/**
 * The sync configuration use cases of the console and REST v1 (mss.md §5.1-§5.2, DECISIONS D3
 * "Configs"): every field rule and dependency is checked here, and each change writes its MSS
 * operation record (a modification records the diff).
 */
export class SyncConfigs {
  public constructor(
    private readonly configs: SyncConfigRepository,
    private readonly apps: TenantAppRepository,
    private readonly operations: OperationRecordRepository,
    private readonly now: () => number,
  ) {}

  /** Creates a configuration, published (ONLINE) as mss.md §5.1 says. */
  public async create(app: AppRef, operator: string, input: NewSyncConfig): Promise<SyncConfig> {
    await this.existingApp(app);
    const fields = validateNew(input);
    const now = this.now();
    const config: SyncConfig = { _id: SyncConfigRepository.newId(), ...app, ...fields, status: 'ONLINE', createdAt: now, updatedAt: now, operator };
    try {
      await this.configs.insert(config);
    } catch (error) {
      if (error instanceof DuplicateKeyError) throw new ConfigExistsError(instanceIdOf(app.workspaceId, app.appId), fields.bizType);
      throw error;
    }
    await this.record(app, operator, 'NEW_CONFIGURATION', config);
    return config;
  }

  public async get(app: AppRef, bizType: string): Promise<SyncConfig> {
    await this.existingApp(app);
    return this.existing(app, bizType);
  }

  public async list(app: AppRef): Promise<SyncConfig[]> {
    await this.existingApp(app);
    return this.configs.list(app.workspaceId, app.appId);
  }

  /**
   * Changes description, threshold and user consistency. An immutable field is refused with
   * CONFIG_FIELD_IMMUTABLE when it differs from the stored value (the console's edit form sends
   * every field back unchanged); a change that changes nothing writes no record.
   */
  public async edit(app: AppRef, operator: string, bizType: string, change: SyncConfigChange & { bizType?: string }): Promise<SyncConfig> {
    await this.existingApp(app);
    const before = await this.existing(app, bizType);
    for (const field of ['bizType', 'pushRange', 'pushObject', 'multiDevice', 'persistent', 'repushMode'] as const) {
      if (change[field] !== undefined && change[field] !== before[field]) throw new ConfigFieldImmutableError(field, bizType);
    }
    const editable: Partial<Pick<SyncConfig, 'description' | 'threshold' | 'userConsistency'>> = {};
    if (change.description !== undefined) editable.description = validDescription(change.description);
    if (change.threshold !== undefined) {
      if (!before.persistent) throw new ArgsInvalidError('threshold applies only to persistent configurations (persistent = true)');
      editable.threshold = validThreshold(change.threshold);
    }
    if (change.userConsistency !== undefined) {
      if (before.pushObject !== 'USER') throw new ArgsInvalidError('userConsistency applies only to pushObject USER');
      editable.userConsistency = change.userConsistency;
    }
    const diff = diffOf(before, editable);
    if (Object.keys(diff).length === 0) return before;
    const after = await this.configs.update(app.workspaceId, app.appId, bizType, {}, { ...editable, updatedAt: this.now(), operator });
    if (!after) throw new ConfigNotFoundError(instanceIdOf(app.workspaceId, app.appId), bizType);
    await this.record(app, operator, 'MODIFY_CONFIGURATION', after, { diff });
    return after;
  }

  /** Offline withholds delivery (the data APIs answer BIZ_NOT_ONLINE); online re-enables it. Setting the current status again changes nothing. */
  public async setStatus(app: AppRef, operator: string, bizType: string, status: ConfigStatus): Promise<SyncConfig> {
    await this.existingApp(app);
    const before = await this.existing(app, bizType);
    if (before.status === status) return before;
    const after = await this.configs.update(app.workspaceId, app.appId, bizType, { status: before.status }, { status, updatedAt: this.now(), operator });
    // Someone else moved it meanwhile: answer what it is now.
    if (!after) return this.existing(app, bizType);
    await this.record(app, operator, STATUS_ACTIONS[status], after);
    return after;
  }

  /** Deletes an offline configuration (mss.md §10.8 #46); an online one is refused with CONFIG_ONLINE. */
  public async delete(app: AppRef, operator: string, bizType: string): Promise<SyncConfig> {
    await this.existingApp(app);
    const config = await this.existing(app, bizType);
    if (config.status !== 'OFFLINE' || !(await this.configs.deleteWhen(app.workspaceId, app.appId, bizType, 'OFFLINE'))) {
      // Not offline, or put online (or deleted) between the read and the delete.
      const now = await this.existing(app, bizType);
      throw new ConfigOnlineError(now.bizType);
    }
    await this.record(app, operator, 'DELETE_CONFIGURATION', config);
    return config;
  }

  private async existingApp(app: AppRef): Promise<void> {
    if (!(await this.apps.find(app.workspaceId, app.appId))) throw new AppNotFoundError(instanceIdOf(app.workspaceId, app.appId));
  }

  private async existing(app: AppRef, bizType: string): Promise<SyncConfig> {
    const config = await this.configs.find(app.workspaceId, app.appId, bizType);
    if (!config) throw new ConfigNotFoundError(instanceIdOf(app.workspaceId, app.appId), bizType);
    return config;
  }

  private record(app: AppRef, operator: string, action: OperationAction, config: SyncConfig, extra: { [key: string]: JsonValue } = {}): Promise<void> {
    const instanceId = instanceIdOf(app.workspaceId, app.appId);
    return this.operations.record({ instanceId, operator, action, at: this.now(), details: { bizType: config.bizType, config: configView(config), ...extra } });
  }
}

type ValidatedFields = Pick<SyncConfig, 'bizType' | 'description' | 'pushRange' | 'pushObject' | 'multiDevice' | 'persistent' | 'repushMode' | 'threshold' | 'userConsistency'>;

/** The rules of D3 in a fixed order; the first one broken is reported. */
function validateNew(input: NewSyncConfig): ValidatedFields {
  if (isBlank(input.bizType)) throw new ArgsIsNullError('bizType');
  if (!BIZ_TYPE.test(input.bizType)) throw new ArgsInvalidError('bizType must be 1-30 of [A-Za-z0-9-] (uppercase letters and hyphens suggested, e.g. DEVICE-LOCK)');
  const description = validDescription(input.description);
  const pushRange = oneOf<PushRange>('pushRange', input.pushRange, PUSH_RANGES);
  const pushObject = oneOf<PushObject>('pushObject', input.pushObject, PUSH_OBJECTS);
  const global = pushRange === 'GLOBAL';

  // Multi-device: only for the user dimension; global configs are always multi-device.
  let multiDevice: boolean | null;
  if (pushObject === 'DEVICE') {
    if (input.multiDevice !== undefined) throw new ArgsInvalidError('multiDevice applies only to pushObject USER');
    multiDevice = global ? true : null;
  } else if (global) {
    if (input.multiDevice === false) throw new ArgsInvalidError('global configurations are always multi-device (multiDevice must be true or absent)');
    multiDevice = true;
  } else {
    if (input.multiDevice === undefined) throw new ArgsIsNullError('multiDevice');
    multiDevice = input.multiDevice;
  }

  // Persistence: required for specify configs; global configs are always persistent.
  let persistent: boolean;
  if (global) {
    if (input.persistent === false) throw new ArgsInvalidError('global configurations are always persistent (persistent must be true or absent)');
    persistent = true;
  } else {
    if (input.persistent === undefined) throw new ArgsIsNullError('persistent');
    persistent = input.persistent;
  }

  // Re-push mode and threshold: only with persistence.
  let repushMode: RepushMode | null = null;
  let threshold: number | null = null;
  if (!persistent) {
    if (input.repushMode !== undefined) throw new ArgsInvalidError('repushMode applies only to persistent configurations (persistent = true)');
    if (input.threshold !== undefined) throw new ArgsInvalidError('threshold applies only to persistent configurations (persistent = true)');
  } else {
    repushMode = input.repushMode === undefined ? 'THRESHOLD' : oneOf<RepushMode>('repushMode', input.repushMode, REPUSH_MODES);
    threshold = input.threshold === undefined ? DEFAULT_THRESHOLD : validThreshold(input.threshold);
  }

  // User consistency: only for the user dimension.
  let userConsistency: boolean | null;
  if (pushObject === 'DEVICE') {
    if (input.userConsistency !== undefined) throw new ArgsInvalidError('userConsistency applies only to pushObject USER');
    userConsistency = null;
  } else {
    userConsistency = input.userConsistency ?? false;
  }

  return { bizType: input.bizType, description, pushRange, pushObject, multiDevice, persistent, repushMode, threshold, userConsistency };
}

function isBlank(value: string | undefined): value is undefined {
  return value === undefined || value.trim() === '';
}

function validDescription(value: string | undefined): string {
  if (isBlank(value)) throw new ArgsIsNullError('description');
  if ([...value].length > DESCRIPTION_MAX_CHARS) throw new ArgsInvalidError(`description must be at most ${DESCRIPTION_MAX_CHARS} characters`);
  return value;
}

function validThreshold(value: number): number {
  if (!Number.isInteger(value) || value < THRESHOLD_MIN || value > THRESHOLD_MAX) throw new ArgsInvalidError(`threshold must be an integer from ${THRESHOLD_MIN} to ${THRESHOLD_MAX}`);
  return value;
}

function oneOf<T extends string>(field: string, value: string | undefined, allowed: readonly T[]): T {
  if (isBlank(value)) throw new ArgsIsNullError(field);
  if (!(allowed as readonly string[]).includes(value)) throw new ArgsInvalidError(`${field} must be one of ${allowed.join(', ')}`);
  return value as T;
}

import { Body, Query, type PipeTransform } from '@nestjs/common';
import { z } from 'zod';
import type { SyncConfig } from '@pushsync/contracts';
import { ValidationError } from '@pushsync/platform';
import { describeZodError } from '@pushsync/runtime';

/**
 * Sync configuration bodies (REST v1 and console). The rules and dependencies of D3 are the
 * domain's (sync-core answers ARGS_IS_NULL / ARGS_INVALID / CONFIG_FIELD_IMMUTABLE), so the schemas
 * check types and unknown fields only; a missing required field answers ARGS_IS_NULL, any other
 * shape problem ARGS_INVALID, both naming the field.
 */
const appFields = { appId: z.string().min(1).max(64), workspaceId: z.string().min(1).max(64) };
const configFields = {
  bizType: z.string().describe('Synchronous identification: 1-30 of [A-Za-z0-9-], uppercase suggested (e.g. DEVICE-LOCK); immutable'),
  description: z.string().describe('Push description, 1-500 characters'),
  pushRange: z.string().describe('SPECIFY (single API, one user or device) or GLOBAL (global API); immutable'),
  pushObject: z.string().describe('USER (linkToken = userId) or DEVICE (linkToken = device id); immutable'),
  multiDevice: z.boolean().optional().describe('USER only; required for USER + SPECIFY; GLOBAL is always true; immutable'),
  persistent: z.boolean().optional().describe('Data persistence; required for SPECIFY; GLOBAL is always true; immutable'),
  repushMode: z.string().optional().describe('THRESHOLD (the only mode, the default); only with persistence'),
  threshold: z.number().optional().describe('Repush threshold 1-10000, default 100; only with persistence; editable'),
  userConsistency: z.boolean().optional().describe('User consistency validation; USER only; default false; editable'),
};
const editFields = {
  description: configFields.description.optional(),
  threshold: configFields.threshold,
  userConsistency: configFields.userConsistency,
  // Immutable: refused with CONFIG_FIELD_IMMUTABLE when they differ from the stored value.
  bizType: configFields.bizType.optional(),
  pushRange: configFields.pushRange.optional(),
  pushObject: configFields.pushObject.optional(),
  multiDevice: configFields.multiDevice,
  persistent: configFields.persistent,
  repushMode: configFields.repushMode,
};

export const TenantCreateConfigBody = z.strictObject({ ...appFields, ...configFields });
export const TenantEditConfigBody = z.strictObject({ ...appFields, ...editFields });
export const TenantAppBody = z.strictObject(appFields);
export const AdminCreateConfigBody = z.strictObject(configFields);
export const AdminEditConfigBody = z.strictObject(editFields);

export type ConfigFields = z.infer<typeof AdminCreateConfigBody>;
export type EditFields = z.infer<typeof AdminEditConfigBody>;

class SyncArgsPipe<S extends z.ZodType> implements PipeTransform {
  public constructor(private readonly schema: S) {}

  public transform(value: unknown): z.infer<S> {
    const result = this.schema.safeParse(value ?? {});
    if (result.success) return result.data;
    const missing = result.error.issues.some((issue) => issue.code === 'invalid_type' && /received undefined/.test(issue.message));
    throw new ValidationError(describeZodError(result.error), missing ? 'ARGS_IS_NULL' : 'ARGS_INVALID');
  }
}

/** A strict body with the MSS codes. */
export const SyncArgsBody = <S extends z.ZodType>(schema: S): ParameterDecorator => Body(new SyncArgsPipe(schema));
/** A strict query with the MSS codes. */
export const SyncArgsQuery = <S extends z.ZodType>(schema: S): ParameterDecorator => Query(new SyncArgsPipe(schema));

/** A configuration as the REST faces show it: times in RFC 3339, fields that do not apply as null. */
export function configView(config: SyncConfig | null) {
  if (!config) throw new Error('sync-core answered without a configuration');
  return {
    appId: config.appId,
    workspaceId: config.workspaceId,
    bizType: config.bizType,
    description: config.description,
    pushRange: config.pushRange,
    pushObject: config.pushObject,
    multiDevice: config.multiDevice ?? null,
    persistent: config.persistent,
    repushMode: config.repushMode ?? null,
    threshold: config.threshold ?? null,
    userConsistency: config.userConsistency ?? null,
    status: config.status,
    createdAt: new Date(config.createdAt).toISOString(),
    updatedAt: new Date(config.updatedAt).toISOString(),
    operator: config.operator,
  };
}

/** The create request sync-core takes, from the checked body. */
export function createRequest(app: { appId: string; workspaceId: string }, operator: string, body: ConfigFields) {
  return {
    ...app,
    operator,
    bizType: body.bizType,
    description: body.description,
    pushRange: body.pushRange,
    pushObject: body.pushObject,
    ...defined({ multiDevice: body.multiDevice, persistent: body.persistent, repushMode: body.repushMode, threshold: body.threshold, userConsistency: body.userConsistency }),
  };
}

export function editRequest(app: { appId: string; workspaceId: string }, operator: string, bizType: string, body: EditFields) {
  return {
    ...app,
    operator,
    bizType,
    ...defined({
      description: body.description,
      threshold: body.threshold,
      userConsistency: body.userConsistency,
      pushRange: body.pushRange,
      pushObject: body.pushObject,
      multiDevice: body.multiDevice,
      persistent: body.persistent,
      repushMode: body.repushMode,
      newBizType: body.bizType,
    }),
  };
}

/** Proto3 optional fields must be absent, not undefined, to stay unset on every link adapter. */
export function defined<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}

import { z } from 'zod';
import type { SendSyncDataRequest } from '@pushsync/contracts';
import type { SyncScope } from '@pushsync/sync';
import { operatorOf, type TenantContext } from '../tenant/tenant-context';
import { defined } from './sync-configs.dto';

/**
 * The order parameters of mss.md §3.2-§3.3 per API: the single API names a target (linkToken), the
 * global one may name a UID range instead. The faces only read them; sync-core applies the rules
 * of DECISIONS D3 (ARGS_IS_NULL, PAYLOAD_LONG, ...) in their order, for every face alike.
 */
const COMMON_FIELDS = ['bizType', 'thirdMsgId', 'payload', 'binaryPayload', 'osType', 'appMinVersion', 'appMaxVersion', 'validTimeStart', 'validTimeEnd'] as const;
export const FIELDS_OF_SCOPE = {
  SINGLE: [...COMMON_FIELDS, 'linkToken'],
  GLOBAL: [...COMMON_FIELDS, 'minUid', 'maxUid', 'uids'],
} as const satisfies Record<SyncScope, readonly string[]>;

export type SyncDataField = (typeof FIELDS_OF_SCOPE)[SyncScope][number];
/** Parameters as text (numbers as decimal text), absent when not sent. */
export type SyncDataFields = Partial<Record<SyncDataField, string>>;

export function sendSyncDataRequest(tenant: TenantContext, scope: SyncScope, fields: SyncDataFields): SendSyncDataRequest {
  return { appId: tenant.app.appId, workspaceId: tenant.app.workspaceId, scope, operator: operatorOf(tenant), fromConsole: false, ...defined(fields) };
}

const appFields = { appId: z.string().min(1).max(64), workspaceId: z.string().min(1).max(64) };
const text = z.string();
const numberOrText = z.union([z.number(), z.string()]);
const commonBodyFields = {
  ...appFields,
  bizType: text.optional().describe('Required. The sync configuration (sync identity), at most 30 of [A-Za-z0-9-]; it must be published'),
  thirdMsgId: text.optional().describe('Required. Request id, at most 100 UTF-8 bytes; a repeated one answers DUPLICATED_BIZ_ID and stores nothing'),
  payload: text.optional().describe('The business data, passed through unchanged, at most 4096 characters; exactly one of payload and binaryPayload'),
  binaryPayload: text.optional().describe('Base64 of raw bytes, at most 4096 characters; exactly one of payload and binaryPayload'),
  osType: text.optional().describe('Platform filter: IOS, ANDROID, HARMONYOS or WEB, any case, several separated by "/" or ","; empty = every platform'),
  appMinVersion: text.optional().describe('Only client versions >= this one (dot-separated, at most 20 characters)'),
  appMaxVersion: text.optional().describe('Only client versions <= this one (dot-separated, at most 20 characters)'),
  validTimeStart: numberOrText.optional().describe('Epoch ms: not delivered before'),
  validTimeEnd: numberOrText.optional().describe('Epoch ms: not delivered after; in the future and at most 30 days ahead'),
};

export const SingleDataBody = z.strictObject({
  ...commonBodyFields,
  linkToken: text.optional().describe('Required. The target: the userId (user dimension) or the device token (device dimension), at most 100 characters'),
});

export const GlobalDataBody = z.strictObject({
  ...commonBodyFields,
  minUid: numberOrText.optional().describe('UID range 0-99, inclusive (missing: 0); the UID segment is the 3rd and 2nd last characters of the userId or device token'),
  maxUid: numberOrText.optional().describe('UID range 0-99, inclusive (missing: 99)'),
  uids: text.optional().describe('Comma-separated two-digit UID segments, e.g. "01,02,99"; wins over minUid/maxUid'),
});

/** The fields of a checked REST v1 body as text. */
export function fieldsOfBody(body: z.infer<typeof SingleDataBody> | z.infer<typeof GlobalDataBody>): SyncDataFields {
  const { appId: _appId, workspaceId: _workspaceId, ...fields } = body;
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined).map(([name, value]) => [name, String(value)]));
}

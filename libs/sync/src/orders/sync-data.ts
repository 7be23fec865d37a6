import { BIZ_TYPE } from '../configs/sync-config';
import { ArgsInvalidError, ArgsIsNullError } from '../configs/sync-config.errors';
import { compareVersions, isWellFormedVersion, VERSION_MAX_CHARS } from '../filters/app-version';
import type { OrderFilters } from '../filters/delivery-filter';
import { parseOsType } from '../filters/os-type';
import { InvalidValidTimeError, PayloadConflictError, PayloadLongError, ThirdMsgIdIsNullError, ThirdMsgIdLongError } from './sync-data.errors';

/** SINGLE: CreateOpenSingleData, one user or device; GLOBAL: CreateOpenGlobalData, every user or device. */
export type SyncScope = 'SINGLE' | 'GLOBAL';

/** An order as a face received it: every parameter optional, numbers as decimal text. */
export interface SyncDataRequest {
  bizType?: string;
  linkToken?: string;
  thirdMsgId?: string;
  payload?: string;
  binaryPayload?: string;
  osType?: string;
  appMinVersion?: string;
  appMaxVersion?: string;
  validTimeStart?: string;
  validTimeEnd?: string;
  minUid?: string;
  maxUid?: string;
  uids?: string;
}

export interface ValidSyncData {
  scope: SyncScope;
  bizType: string;
  /** The target userId or device token; '' for GLOBAL. */
  linkToken: string;
  thirdMsgId: string;
  /** The text payload, or the base64 text of a binary one. */
  payload: string;
  binary: boolean;
  filters: OrderFilters;
  /** Epoch ms; null = no bound. */
  validTimeStart: number | null;
  validTimeEnd: number | null;
}

export const PAYLOAD_MAX_CHARS = 4096;
export const THIRD_MSG_ID_MAX_BYTES = 100;
export const LINK_TOKEN_MAX_CHARS = 100;
export const MAX_VALIDITY_MS = 30 * 24 * 60 * 60 * 1000;
const UID_FIELDS = ['minUid', 'maxUid', 'uids'] as const;
const UID_SEGMENT_ENTRY = /^[0-9]{2}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const EPOCH_MILLIS = /^[0-9]{1,16}$/;

/**
 * The rules of mss.md §3.2-§3.3 as DECISIONS D3 decides them, checked in D3's order so that a
 * request breaking several rules gets the code of the earliest: THIRD_MSG_ID_IS_NULL ->
 * ARGS_IS_NULL -> PAYLOAD_CONFLICT -> PAYLOAD_LONG / THIRD_MSG_ID_LONG -> ARGS_INVALID ->
 * INVALID_VALID_TIME. A blank value counts as absent. Throws the first refusal.
 */
export function validateSyncData(scope: SyncScope, request: SyncDataRequest, now: number): ValidSyncData {
  const bizType = present(request.bizType);
  const linkToken = present(request.linkToken);
  const thirdMsgId = present(request.thirdMsgId);
  const payload = present(request.payload);
  const binaryPayload = present(request.binaryPayload);

  if (thirdMsgId === null) throw new ThirdMsgIdIsNullError();
  if (bizType === null) throw new ArgsIsNullError('bizType');
  if (scope === 'SINGLE' && linkToken === null) throw new ArgsIsNullError('linkToken');
  if (payload === null && binaryPayload === null) throw new ArgsIsNullError('payload (or binaryPayload)');
  if (payload !== null && binaryPayload !== null) throw new PayloadConflictError();

  checkLengths(payload, binaryPayload, thirdMsgId);
  checkFormats(scope, bizType, linkToken, binaryPayload);
  const filters = checkedFilters(scope, request);
  const validity = checkedValidity(trimmed(request.validTimeStart), trimmed(request.validTimeEnd), now);

  return {
    scope,
    bizType,
    linkToken: scope === 'SINGLE' ? (linkToken ?? '') : '',
    thirdMsgId,
    payload: payload ?? binaryPayload ?? '',
    binary: binaryPayload !== null,
    filters,
    ...validity,
  };
}

/** Blank counts as absent. */
function present(value: string | undefined): string | null {
  return value === undefined || value.trim() === '' ? null : value;
}

/** Filter and number parameters are read without surrounding blanks. */
function trimmed(value: string | undefined): string | null {
  return present(value)?.trim() ?? null;
}

function checkLengths(payload: string | null, binaryPayload: string | null, thirdMsgId: string): void {
  if (payload !== null) {
    const characters = codePoints(payload);
    if (characters > PAYLOAD_MAX_CHARS) throw new PayloadLongError('payload', characters, PAYLOAD_MAX_CHARS);
  }
  if (binaryPayload !== null) {
    const characters = codePoints(binaryPayload);
    if (characters > PAYLOAD_MAX_CHARS) throw new PayloadLongError('binaryPayload', characters, PAYLOAD_MAX_CHARS);
  }
  const bytes = Buffer.byteLength(thirdMsgId, 'utf8');
  if (bytes > THIRD_MSG_ID_MAX_BYTES) throw new ThirdMsgIdLongError(bytes, THIRD_MSG_ID_MAX_BYTES);
}

function checkFormats(scope: SyncScope, bizType: string, linkToken: string | null, binaryPayload: string | null): void {
  if (!BIZ_TYPE.test(bizType)) throw new ArgsInvalidError(`bizType: ${JSON.stringify(bizType)} must be 1-30 of [A-Za-z0-9-]`);
  if (scope === 'GLOBAL' && linkToken !== null) throw new ArgsInvalidError('linkToken: the global API sends to every user or device and takes no linkToken');
  if (linkToken !== null && codePoints(linkToken) > LINK_TOKEN_MAX_CHARS) throw new ArgsInvalidError(`linkToken: at most ${LINK_TOKEN_MAX_CHARS} characters`);
  if (binaryPayload !== null && !BASE64.test(binaryPayload)) throw new ArgsInvalidError('binaryPayload: must be base64 (RFC 4648, padded)');
}

function checkedFilters(scope: SyncScope, request: SyncDataRequest): OrderFilters {
  const osType = trimmed(request.osType);
  const appMinVersion = checkedVersion('appMinVersion', trimmed(request.appMinVersion));
  const appMaxVersion = checkedVersion('appMaxVersion', trimmed(request.appMaxVersion));
  if (appMinVersion !== null && appMaxVersion !== null && compareVersions(appMinVersion, appMaxVersion) > 0) {
    throw new ArgsInvalidError(`appMinVersion ${appMinVersion} is above appMaxVersion ${appMaxVersion}: no version could match`);
  }
  const uidField = UID_FIELDS.find((field) => present(request[field]) !== null);
  if (scope === 'SINGLE' && uidField) throw new ArgsInvalidError(`${uidField}: UID ranges apply only to the global API`);
  return {
    platforms: osType === null ? null : parseOsType(osType),
    appMinVersion,
    appMaxVersion,
    uidSegments: checkedUidSegments(trimmed(request.uids), trimmed(request.minUid), trimmed(request.maxUid)),
  };
}

function checkedVersion(field: string, version: string | null): string | null {
  if (version !== null && !isWellFormedVersion(version)) {
    throw new ArgsInvalidError(`${field}: ${JSON.stringify(version)} must be at most ${VERSION_MAX_CHARS} characters of [0-9A-Za-z] segments separated by single dots`);
  }
  return version;
}

/** `uids` wins over minUid/maxUid; a missing bound is 0 or 99 (D3). Every given parameter must be well-formed. */
function checkedUidSegments(uids: string | null, minUid: string | null, maxUid: string | null): number[] | null {
  const listed = uids === null ? null : parseUids(uids);
  const min = minUid === null ? null : parseUidBound('minUid', minUid);
  const max = maxUid === null ? null : parseUidBound('maxUid', maxUid);
  if (min !== null && max !== null && min > max) throw new ArgsInvalidError(`minUid ${min} is above maxUid ${max}`);
  if (listed) return listed;
  if (min === null && max === null) return null;
  const from = min ?? 0;
  return Array.from({ length: (max ?? 99) - from + 1 }, (_, index) => from + index);
}

function parseUids(uids: string): number[] {
  const entries = uids.split(',').map((entry) => entry.trim());
  const bad = entries.find((entry) => !UID_SEGMENT_ENTRY.test(entry));
  if (bad !== undefined) throw new ArgsInvalidError(`uids: ${JSON.stringify(bad)} is not a two-digit segment 00-99 (write e.g. "01,02,99")`);
  return [...new Set(entries.map(Number))].sort((a, b) => a - b);
}

function parseUidBound(field: 'minUid' | 'maxUid', value: string): number {
  const bound = /^[0-9]{1,3}$/.test(value) ? Number(value) : NaN;
  if (!(bound <= 99)) throw new ArgsInvalidError(`${field}: ${JSON.stringify(value)} must be an integer 0-99`);
  return bound;
}

function checkedValidity(start: string | null, end: string | null, now: number): { validTimeStart: number | null; validTimeEnd: number | null } {
  const validTimeStart = start === null ? null : epochMillis('validTimeStart', start);
  const validTimeEnd = end === null ? null : epochMillis('validTimeEnd', end);
  const latest = now + MAX_VALIDITY_MS;
  if (validTimeStart !== null && validTimeEnd !== null && validTimeStart > validTimeEnd) throw new InvalidValidTimeError(`validTimeStart ${validTimeStart} is after validTimeEnd ${validTimeEnd}`);
  if (validTimeEnd !== null && validTimeEnd <= now) throw new InvalidValidTimeError(`validTimeEnd ${validTimeEnd} has passed (now is ${now})`);
  if (validTimeEnd !== null && validTimeEnd > latest) throw new InvalidValidTimeError(`validTimeEnd ${validTimeEnd} is more than 30 days ahead (at most ${latest})`);
  if (validTimeStart !== null && validTimeStart > latest) throw new InvalidValidTimeError(`validTimeStart ${validTimeStart} is more than 30 days ahead (at most ${latest}): the data would expire before it became valid`);
  return { validTimeStart, validTimeEnd };
}

function epochMillis(field: string, value: string): number {
  if (!EPOCH_MILLIS.test(value)) throw new InvalidValidTimeError(`${field}: ${JSON.stringify(value)} must be an integer epoch time in milliseconds`);
  return Number(value);
}

function codePoints(text: string): number {
  return Array.from(text).length;
}

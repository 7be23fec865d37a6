import { SqliteStore } from '@pushsync/platform';
import { OperationRecordRepository, TenantAppRepository, type TenantApp } from '@pushsync/tenancy';
import type { NewSyncConfig } from './sync-config';
import { SyncConfigRepository } from './sync-config.repository';
import { SyncConfigs } from './sync-configs';

const APP = { workspaceId: 'ws1', appId: 'app1' };
const OTHER_APP = { workspaceId: 'ws1', appId: 'app2' };
const USER_SPECIFY: NewSyncConfig = { bizType: 'DEVICE-LOCK', description: 'locks', pushRange: 'SPECIFY', pushObject: 'USER', multiDevice: true, persistent: true };

function tenantApp(ref: { workspaceId: string; appId: string }): TenantApp {
  return { _id: `${ref.workspaceId}_${ref.appId}`, ...ref, name: ref.appId, status: 'active', apiEnabled: true, signatureEnabled: true, clientKey: 'k', rsaPublicKey: null, timeZone: '+08:00', retentionDays: 30, createdAt: 0, updatedAt: 0 };
}

describe('SyncConfigs', () => {
  let store: SqliteStore;
  let configs: SyncConfigs;
  let operations: OperationRecordRepository;
  let now: number;

  const records = () => operations.query({ from: 0, to: Number.MAX_SAFE_INTEGER, limit: 1000 });
  const refused = (promise: Promise<unknown>) => promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (error: { code: string; kind: string; message: string }) => ({ code: error.code, kind: error.kind, message: error.message }),
  );

  beforeEach(async () => {
    store = new SqliteStore(':memory:');
    now = 1_700_000_000_000;
    const apps = await TenantAppRepository.open(store);
    await apps.insert(tenantApp(APP));
    await apps.insert(tenantApp(OTHER_APP));
    operations = await OperationRecordRepository.open(store);
    configs = new SyncConfigs(await SyncConfigRepository.open(store), apps, operations, () => now);
  });

  afterEach(() => store.close());

  it('creates a published configuration with the defaults of the persistence group and records NEW_CONFIGURATION', async () => {
    const created = await configs.create(APP, 'op-1', USER_SPECIFY);
    expect(created).toMatchObject({ ...APP, bizType: 'DEVICE-LOCK', pushRange: 'SPECIFY', pushObject: 'USER', multiDevice: true, persistent: true, repushMode: 'THRESHOLD', threshold: 100, userConsistency: false, status: 'ONLINE', createdAt: now, updatedAt: now, operator: 'op-1' });
    expect(await configs.get(APP, 'DEVICE-LOCK')).toEqual(created);
    expect(await records()).toEqual([expect.objectContaining({ instanceId: 'ws1_app1', operator: 'op-1', action: 'NEW_CONFIGURATION', at: now, details: expect.objectContaining({ bizType: 'DEVICE-LOCK', config: expect.objectContaining({ status: 'ONLINE', threshold: 100 }) }) })]);
  });

  it('keeps configurations per app: the same bizType twice is CONFIG_EXISTS, another app may reuse it and sees none of the first', async () => {
    await configs.create(APP, 'op', USER_SPECIFY);
    expect(await refused(configs.create(APP, 'op', USER_SPECIFY))).toMatchObject({ code: 'CONFIG_EXISTS', kind: 'conflict' });
    await configs.create(OTHER_APP, 'op', { ...USER_SPECIFY, description: 'other' });
    await configs.create(APP, 'op', { ...USER_SPECIFY, bizType: 'A-FIRST' });
    expect((await configs.list(APP)).map((c) => c.bizType)).toEqual(['A-FIRST', 'DEVICE-LOCK']);
    expect((await configs.list(OTHER_APP)).map((c) => [c.bizType, c.description])).toEqual([['DEVICE-LOCK', 'other']]);
    expect(await refused(configs.get(APP, 'NOPE'))).toMatchObject({ code: 'CONFIG_NOT_FOUND', kind: 'not-found' });
    expect(await refused(configs.list({ workspaceId: 'ws1', appId: 'ghost' }))).toMatchObject({ code: 'APP_NOT_FOUND' });
    expect(await refused(configs.create({ workspaceId: 'ws1', appId: 'ghost' }, 'op', USER_SPECIFY))).toMatchObject({ code: 'APP_NOT_FOUND' });
  });

  it.each<[string, NewSyncConfig, string, RegExp]>([
    ['bizType missing', { ...USER_SPECIFY, bizType: undefined }, 'ARGS_IS_NULL', /bizType/],
    ['bizType blank', { ...USER_SPECIFY, bizType: '' }, 'ARGS_IS_NULL', /bizType/],
    ['bizType of 31 characters', { ...USER_SPECIFY, bizType: 'A'.repeat(31) }, 'ARGS_INVALID', /bizType/],
    ['bizType with an underscore', { ...USER_SPECIFY, bizType: 'DEVICE_LOCK' }, 'ARGS_INVALID', /bizType/],
    ['description missing', { ...USER_SPECIFY, description: undefined }, 'ARGS_IS_NULL', /description/],
    ['description of 501 characters', { ...USER_SPECIFY, description: 'd'.repeat(501) }, 'ARGS_INVALID', /description/],
    ['pushRange missing', { ...USER_SPECIFY, pushRange: undefined }, 'ARGS_IS_NULL', /pushRange/],
    ['pushRange unknown', { ...USER_SPECIFY, pushRange: 'ALL' }, 'ARGS_INVALID', /pushRange/],
    ['pushObject missing', { ...USER_SPECIFY, pushObject: undefined }, 'ARGS_IS_NULL', /pushObject/],
    ['pushObject unknown', { ...USER_SPECIFY, pushObject: 'EQUIPMENT' }, 'ARGS_INVALID', /pushObject/],
    ['multiDevice missing for a user specify config', { ...USER_SPECIFY, multiDevice: undefined }, 'ARGS_IS_NULL', /multiDevice/],
    ['multiDevice on the device dimension', { ...USER_SPECIFY, pushObject: 'DEVICE', multiDevice: false }, 'ARGS_INVALID', /multiDevice applies only to pushObject USER/],
    ['multiDevice false on a global config', { ...USER_SPECIFY, pushRange: 'GLOBAL', multiDevice: false }, 'ARGS_INVALID', /always multi-device/],
    ['persistent missing for a specify config', { ...USER_SPECIFY, persistent: undefined }, 'ARGS_IS_NULL', /persistent/],
    ['persistent false on a global config', { ...USER_SPECIFY, pushRange: 'GLOBAL', persistent: false }, 'ARGS_INVALID', /always persistent/],
    ['threshold without persistence', { ...USER_SPECIFY, persistent: false, threshold: 10 }, 'ARGS_INVALID', /threshold applies only/],
    ['repushMode without persistence', { ...USER_SPECIFY, persistent: false, repushMode: 'THRESHOLD' }, 'ARGS_INVALID', /repushMode applies only/],
    ['repushMode unknown', { ...USER_SPECIFY, repushMode: 'QUEUE' }, 'ARGS_INVALID', /repushMode/],
    ['threshold 0', { ...USER_SPECIFY, threshold: 0 }, 'ARGS_INVALID', /threshold/],
    ['threshold 10001', { ...USER_SPECIFY, threshold: 10_001 }, 'ARGS_INVALID', /threshold/],
    ['threshold 1.5', { ...USER_SPECIFY, threshold: 1.5 }, 'ARGS_INVALID', /threshold/],
    ['userConsistency on the device dimension', { ...USER_SPECIFY, pushObject: 'DEVICE', multiDevice: undefined, userConsistency: false }, 'ARGS_INVALID', /userConsistency applies only/],
  ])('refuses %s, storing and recording nothing', async (_, input, code, message) => {
    const error = await refused(configs.create(APP, 'op', input));
    expect(error).toMatchObject({ code, kind: 'validation' });
    expect(error.message).toMatch(message);
    expect(await configs.list(APP)).toEqual([]);
    expect(await records()).toEqual([]);
  });

  it('accepts the boundaries and applies the dependencies: device dimension, non-persistent, global', async () => {
    expect(await configs.create(APP, 'op', { ...USER_SPECIFY, bizType: 'T1', threshold: 1 })).toMatchObject({ threshold: 1 });
    expect(await configs.create(APP, 'op', { ...USER_SPECIFY, bizType: 'T10000', threshold: 10_000 })).toMatchObject({ threshold: 10_000 });
    expect(await configs.create(APP, 'op', { ...USER_SPECIFY, bizType: 'a'.repeat(30) })).toMatchObject({ bizType: 'a'.repeat(30) });
    expect(await configs.create(APP, 'op', { bizType: 'DEV', description: 'd', pushRange: 'SPECIFY', pushObject: 'DEVICE', persistent: true })).toMatchObject({ multiDevice: null, userConsistency: null, threshold: 100 });
    expect(await configs.create(APP, 'op', { ...USER_SPECIFY, bizType: 'VOLATILE', multiDevice: false, persistent: false, userConsistency: true })).toMatchObject({ multiDevice: false, persistent: false, repushMode: null, threshold: null, userConsistency: true });
    expect(await configs.create(APP, 'op', { bizType: 'NEWS', description: 'd', pushRange: 'GLOBAL', pushObject: 'USER' })).toMatchObject({ multiDevice: true, persistent: true, threshold: 100, userConsistency: false });
    expect(await configs.create(APP, 'op', { bizType: 'NEWS-DEV', description: 'd', pushRange: 'GLOBAL', pushObject: 'DEVICE', persistent: true, threshold: 5 })).toMatchObject({ multiDevice: true, persistent: true, threshold: 5, userConsistency: null });
  });

  it('edits description, threshold and consistency, recording the diff; an edit that changes nothing records nothing', async () => {
    await configs.create(APP, 'op-1', USER_SPECIFY);
    now += 1000;
    const edited = await configs.edit(APP, 'op-2', 'DEVICE-LOCK', { description: 'new', threshold: 7, userConsistency: true, pushRange: 'SPECIFY', multiDevice: true });
    expect(edited).toMatchObject({ description: 'new', threshold: 7, userConsistency: true, updatedAt: now, createdAt: now - 1000, operator: 'op-2' });
    expect(await configs.edit(APP, 'op-3', 'DEVICE-LOCK', { description: 'new' })).toEqual(edited);
    const modify = (await records()).filter((r) => r.action === 'MODIFY_CONFIGURATION');
    expect(modify).toHaveLength(1);
    expect(modify[0]).toMatchObject({ operator: 'op-2', details: { bizType: 'DEVICE-LOCK', diff: { description: { from: 'locks', to: 'new' }, threshold: { from: 100, to: 7 }, userConsistency: { from: false, to: true } } } });
  });

  it.each<[string, object, string, string | RegExp]>([
    ['bizType', { bizType: 'OTHER' }, 'CONFIG_FIELD_IMMUTABLE', /bizType/],
    ['pushRange', { pushRange: 'GLOBAL' }, 'CONFIG_FIELD_IMMUTABLE', /pushRange/],
    ['pushObject', { pushObject: 'DEVICE' }, 'CONFIG_FIELD_IMMUTABLE', /pushObject/],
    ['multiDevice', { multiDevice: false }, 'CONFIG_FIELD_IMMUTABLE', /multiDevice/],
    ['persistent', { persistent: false }, 'CONFIG_FIELD_IMMUTABLE', /persistent/],
    ['a blank description', { description: ' ' }, 'ARGS_IS_NULL', /description/],
    ['threshold 0', { threshold: 0 }, 'ARGS_INVALID', /threshold/],
  ])('refuses an edit of %s and changes nothing', async (_, change, code, message) => {
    const created = await configs.create(APP, 'op', USER_SPECIFY);
    const error = await refused(configs.edit(APP, 'op', 'DEVICE-LOCK', change));
    expect(error).toMatchObject({ code, kind: 'validation' });
    expect(error.message).toMatch(message);
    expect(await configs.get(APP, 'DEVICE-LOCK')).toEqual(created);
  });

  it('refuses threshold edits without persistence and consistency edits on the device dimension', async () => {
    await configs.create(APP, 'op', { ...USER_SPECIFY, bizType: 'VOLATILE', persistent: false });
    await configs.create(APP, 'op', { bizType: 'DEV', description: 'd', pushRange: 'SPECIFY', pushObject: 'DEVICE', persistent: true });
    expect(await refused(configs.edit(APP, 'op', 'VOLATILE', { threshold: 5 }))).toMatchObject({ code: 'ARGS_INVALID', message: expect.stringMatching(/threshold applies only/) });
    expect(await refused(configs.edit(APP, 'op', 'DEV', { userConsistency: true }))).toMatchObject({ code: 'ARGS_INVALID', message: expect.stringMatching(/userConsistency applies only/) });
    expect(await refused(configs.edit(APP, 'op', 'NOPE', { description: 'x' }))).toMatchObject({ code: 'CONFIG_NOT_FOUND' });
    expect(await refused(configs.edit(OTHER_APP, 'op', 'DEV', { description: 'x' }))).toMatchObject({ code: 'CONFIG_NOT_FOUND' });
  });

  it('goes offline and online, deletes only when offline, and records each action', async () => {
    // Each action a second apart: records are listed newest first.
    const later = <T>(action: () => Promise<T>) => {
      now += 1000;
      return action();
    };
    await configs.create(APP, 'op', USER_SPECIFY);
    expect(await refused(configs.delete(APP, 'op', 'DEVICE-LOCK'))).toMatchObject({ code: 'CONFIG_ONLINE', kind: 'conflict' });
    expect(await later(() => configs.setStatus(APP, 'op', 'DEVICE-LOCK', 'OFFLINE'))).toMatchObject({ status: 'OFFLINE' });
    expect(await later(() => configs.setStatus(APP, 'op', 'DEVICE-LOCK', 'OFFLINE'))).toMatchObject({ status: 'OFFLINE' });
    expect(await later(() => configs.setStatus(APP, 'op', 'DEVICE-LOCK', 'ONLINE'))).toMatchObject({ status: 'ONLINE' });
    await later(() => configs.setStatus(APP, 'op', 'DEVICE-LOCK', 'OFFLINE'));
    expect(await refused(configs.delete(OTHER_APP, 'op', 'DEVICE-LOCK'))).toMatchObject({ code: 'CONFIG_NOT_FOUND' });
    expect(await later(() => configs.delete(APP, 'op-del', 'DEVICE-LOCK'))).toMatchObject({ bizType: 'DEVICE-LOCK', status: 'OFFLINE' });
    expect(await refused(configs.get(APP, 'DEVICE-LOCK'))).toMatchObject({ code: 'CONFIG_NOT_FOUND' });
    const actions = (await records()).map((r) => r.action).reverse();
    expect(actions).toEqual(['NEW_CONFIGURATION', 'OFFLINE_CONFIGURATION', 'ONLINE_CONFIGURATION', 'OFFLINE_CONFIGURATION', 'DELETE_CONFIGURATION']);
    expect((await records())[0]).toMatchObject({ operator: 'op-del', details: { bizType: 'DEVICE-LOCK', config: expect.objectContaining({ description: 'locks' }) } });
    // The bizType is free again.
    expect(await configs.create(APP, 'op', USER_SPECIFY)).toMatchObject({ status: 'ONLINE' });
  });
});

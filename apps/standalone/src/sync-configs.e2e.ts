import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminClient, ServiceProcess, TenantClient, freePort } from '@pushsync/testing';

const OWNER = `e2eowner.${randomBytes(24).toString('base64url')}`;
const OWNER_ID = OWNER.split('.')[0];
const CONFIGS = '/v1/sync/configs';

interface ConfigBody {
  code?: string;
  success?: boolean;
  requestId?: string;
  message?: string;
  config: Record<string, unknown>;
  configs: Array<Record<string, unknown>>;
}

interface OperationRow {
  operator: string;
  action: string;
  time: string;
  details: { bizType: string; config: Record<string, unknown>; diff?: Record<string, { from: unknown; to: unknown }> };
}

/** Sync configurations (issue 4 item 1) through signed REST v1 and the console face, in one standalone process. */
describe('standalone: sync configurations', () => {
  let dataDir: string;
  let base: string;
  let standalone: ServiceProcess;
  let admin: AdminClient;
  let tenant: { appId: string; workspaceId: string; accessKeyId: string; accessKeySecret: string };
  let client: TenantClient;
  let app: { appId: string; workspaceId: string };

  const operations = async (query: Record<string, string>) => {
    const answer = await admin.call<{ operations: OperationRow[] }>('GET', `/admin/v1/operations?${new URLSearchParams(query).toString()}`);
    expect(answer.status).toBe(200);
    return answer.body.operations;
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'pushsync-sync-configs-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    admin = new AdminClient(base, OWNER);
    standalone = new ServiceProcess('standalone', { PUSHSYNC_DATA_DIR: dataDir, HTTP_PORT: String(port), PUSHSYNC_ADMIN_KEY: OWNER, RATE_LIMIT_PER_APP: '1000' }).start();
    await standalone.waitUntilReady(`${base}/readyz`);
    tenant = await admin.newTenant('app-cfg', 'ws1');
    app = { appId: tenant.appId, workspaceId: tenant.workspaceId };
    client = new TenantClient(base, tenant.accessKeyId, tenant.accessKeySecret);
  }, 60_000);

  afterAll(async () => {
    await standalone?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs the whole lifecycle through signed REST v1, each action an MSS operation record by the access key', async () => {
    const created = await client.post<ConfigBody>(CONFIGS, { ...app, bizType: 'DEVICE-LOCK', description: 'lock screens', pushRange: 'SPECIFY', pushObject: 'USER', multiDevice: true, persistent: true });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ code: 'SUCCESS', success: true, requestId: expect.any(String) });
    expect(created.body.config).toEqual({
      ...app,
      bizType: 'DEVICE-LOCK',
      description: 'lock screens',
      pushRange: 'SPECIFY',
      pushObject: 'USER',
      multiDevice: true,
      persistent: true,
      repushMode: 'THRESHOLD',
      threshold: 100,
      userConsistency: false,
      status: 'ONLINE',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      operator: tenant.accessKeyId,
    });

    const got = await client.get<ConfigBody>(`${CONFIGS}/DEVICE-LOCK`, app);
    expect([got.status, got.body.code, got.body.config]).toEqual([200, 'SUCCESS', created.body.config]);
    const listed = await client.get<ConfigBody>(CONFIGS, app);
    expect(listed.body.configs.map((c) => c.bizType)).toEqual(['DEVICE-LOCK']);

    const edited = await client.patch<ConfigBody>(`${CONFIGS}/DEVICE-LOCK`, { ...app, description: 'lock and wipe', threshold: 20, userConsistency: true });
    expect([edited.status, edited.body.code]).toEqual([200, 'SUCCESS']);
    expect(edited.body.config).toMatchObject({ description: 'lock and wipe', threshold: 20, userConsistency: true, multiDevice: true });

    const stillOnline = await client.delete(`${CONFIGS}/DEVICE-LOCK`, app);
    expect([stillOnline.status, stillOnline.body.code]).toEqual([409, 'CONFIG_ONLINE']);

    const offline = await client.post<ConfigBody>(`${CONFIGS}/DEVICE-LOCK/offline`, app);
    expect([offline.status, offline.body.code, offline.body.config.status]).toEqual([200, 'SUCCESS', 'OFFLINE']);
    const online = await client.post<ConfigBody>(`${CONFIGS}/DEVICE-LOCK/online`, app);
    expect([online.status, online.body.config.status]).toEqual([200, 'ONLINE']);
    expect((await client.post<ConfigBody>(`${CONFIGS}/DEVICE-LOCK/offline`, app)).body.config.status).toBe('OFFLINE');

    const deleted = await client.delete<ConfigBody>(`${CONFIGS}/DEVICE-LOCK`, app);
    expect([deleted.status, deleted.body.code, deleted.body.config.bizType]).toEqual([200, 'SUCCESS', 'DEVICE-LOCK']);
    const gone = await client.get(`${CONFIGS}/DEVICE-LOCK`, app);
    expect([gone.status, gone.body.code]).toEqual([404, 'CONFIG_NOT_FOUND']);

    const records = await operations({ instanceId: 'ws1_app-cfg', operator: tenant.accessKeyId });
    // Newest first (two actions within one millisecond may tie, hence the sort).
    expect(records.map((r) => r.time)).toEqual([...records.map((r) => r.time)].sort().reverse());
    expect(records.map((r) => r.action).sort()).toEqual(['DELETE_CONFIGURATION', 'MODIFY_CONFIGURATION', 'NEW_CONFIGURATION', 'OFFLINE_CONFIGURATION', 'OFFLINE_CONFIGURATION', 'ONLINE_CONFIGURATION']);
    expect(records.every((r) => r.operator === tenant.accessKeyId && r.details.bizType === 'DEVICE-LOCK')).toBe(true);
    const [modify] = await operations({ instanceId: 'ws1_app-cfg', action: 'MODIFY_CONFIGURATION' });
    expect(modify.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(modify.details.diff).toEqual({ description: { from: 'lock screens', to: 'lock and wipe' }, threshold: { from: 100, to: 20 }, userConsistency: { from: false, to: true } });
    expect(modify.details.config).toMatchObject({ description: 'lock and wipe', threshold: 20 });
    const [created2] = await operations({ instanceId: 'ws1_app-cfg', action: 'NEW_CONFIGURATION', operator: tenant.accessKeyId });
    expect(created2.details.config).toMatchObject({ bizType: 'DEVICE-LOCK', status: 'ONLINE', pushRange: 'SPECIFY' });
  });

  it('runs the lifecycle through the console face as the admin key, with viewer and ungranted keys refused', async () => {
    const path = '/admin/v1/apps/ws1_app-cfg/sync/configs';
    const created = await admin.call<ConfigBody>('POST', path, { bizType: 'NEWS', description: 'headlines', pushRange: 'GLOBAL', pushObject: 'DEVICE', threshold: 50 });
    expect(created.status).toBe(201);
    expect(created.body.config).toMatchObject({ bizType: 'NEWS', pushRange: 'GLOBAL', pushObject: 'DEVICE', multiDevice: true, persistent: true, threshold: 50, userConsistency: null, status: 'ONLINE', operator: OWNER_ID });
    // The tenant sees what the console created: one place for the logic.
    expect((await client.get<ConfigBody>(`${CONFIGS}/NEWS`, app)).body.config).toEqual(created.body.config);

    expect((await admin.call<ConfigBody>('GET', `${path}/NEWS`)).body.config).toEqual(created.body.config);
    expect((await admin.call<ConfigBody>('GET', path)).body.configs.map((c) => c.bizType)).toContain('NEWS');
    expect((await admin.call<ConfigBody>('PATCH', `${path}/NEWS`, { threshold: 60 })).body.config).toMatchObject({ threshold: 60, operator: OWNER_ID });
    expect((await admin.call('DELETE', `${path}/NEWS`)).body.code).toBe('CONFIG_ONLINE');
    expect((await admin.call<ConfigBody>('POST', `${path}/NEWS/offline`)).body.config.status).toBe('OFFLINE');
    expect((await admin.call<ConfigBody>('POST', `${path}/NEWS/online`)).body.config.status).toBe('ONLINE');

    const viewerKey = await admin.call<{ credential: string }>('POST', '/admin/v1/admin-keys', { name: 'viewer', role: 'viewer', apps: ['ws1_app-cfg'] });
    const viewer = new AdminClient(base, viewerKey.body.credential);
    expect((await viewer.call('GET', `${path}/NEWS`)).status).toBe(200);
    const viewerChange = await viewer.call('POST', `${path}/NEWS/offline`);
    expect([viewerChange.status, viewerChange.body.code]).toEqual([403, 'FORBIDDEN']);
    const stranger = new AdminClient(base, (await admin.call<{ credential: string }>('POST', '/admin/v1/admin-keys', { name: 'other', role: 'operator', apps: ['ws1_elsewhere'] })).body.credential);
    expect((await stranger.call('GET', path)).status).toBe(403);
    expect((await stranger.call('POST', path, { bizType: 'X', description: 'x', pushRange: 'GLOBAL', pushObject: 'USER' })).status).toBe(403);

    expect((await admin.call<ConfigBody>('POST', `${path}/NEWS/offline`)).status).toBe(200);
    expect((await admin.call<ConfigBody>('DELETE', `${path}/NEWS`)).body.config).toMatchObject({ bizType: 'NEWS', status: 'OFFLINE' });
    expect((await admin.call('GET', `${path}/NEWS`)).status).toBe(404);
    expect((await admin.call('GET', '/admin/v1/apps/ws1_ghost/sync/configs')).body.code).toBe('APP_NOT_FOUND');

    const records = (await operations({ instanceId: 'ws1_app-cfg', operator: OWNER_ID })).filter((r) => r.details.bizType === 'NEWS');
    expect(records.map((r) => r.action).sort()).toEqual(['DELETE_CONFIGURATION', 'MODIFY_CONFIGURATION', 'NEW_CONFIGURATION', 'OFFLINE_CONFIGURATION', 'OFFLINE_CONFIGURATION', 'ONLINE_CONFIGURATION']);
    expect(records.find((r) => r.action === 'MODIFY_CONFIGURATION')?.details.diff).toEqual({ threshold: { from: 50, to: 60 } });
  });

  const valid = { bizType: 'RULES', description: 'd', pushRange: 'SPECIFY', pushObject: 'USER', multiDevice: false, persistent: true };
  it.each<[string, Record<string, unknown>, number, string, RegExp]>([
    ['bizType missing', { bizType: undefined }, 400, 'ARGS_IS_NULL', /bizType/],
    ['bizType empty', { bizType: '' }, 400, 'ARGS_IS_NULL', /bizType/],
    ['bizType of 31 characters', { bizType: 'B'.repeat(31) }, 400, 'ARGS_INVALID', /bizType/],
    ['bizType with a dot', { bizType: 'A.B' }, 400, 'ARGS_INVALID', /bizType/],
    ['description missing', { description: undefined }, 400, 'ARGS_IS_NULL', /description/],
    ['pushRange unknown', { pushRange: 'SOME' }, 400, 'ARGS_INVALID', /pushRange/],
    ['pushObject missing', { pushObject: undefined }, 400, 'ARGS_IS_NULL', /pushObject/],
    ['multiDevice missing for USER + SPECIFY', { multiDevice: undefined }, 400, 'ARGS_IS_NULL', /multiDevice/],
    ['multiDevice for DEVICE', { pushObject: 'DEVICE', multiDevice: true }, 400, 'ARGS_INVALID', /multiDevice applies only to pushObject USER/],
    ['multiDevice false for GLOBAL', { pushRange: 'GLOBAL', multiDevice: false }, 400, 'ARGS_INVALID', /always multi-device/],
    ['persistent missing for SPECIFY', { persistent: undefined }, 400, 'ARGS_IS_NULL', /persistent/],
    ['persistent false for GLOBAL', { pushRange: 'GLOBAL', multiDevice: undefined, persistent: false }, 400, 'ARGS_INVALID', /always persistent/],
    ['threshold without persistence', { persistent: false, threshold: 10 }, 400, 'ARGS_INVALID', /threshold applies only/],
    ['repushMode without persistence', { persistent: false, repushMode: 'THRESHOLD' }, 400, 'ARGS_INVALID', /repushMode applies only/],
    ['threshold 0', { threshold: 0 }, 400, 'ARGS_INVALID', /threshold/],
    ['threshold 10001', { threshold: 10_001 }, 400, 'ARGS_INVALID', /threshold/],
    ['threshold 2.5', { threshold: 2.5 }, 400, 'ARGS_INVALID', /threshold/],
    ['userConsistency for DEVICE', { pushObject: 'DEVICE', multiDevice: undefined, userConsistency: true }, 400, 'ARGS_INVALID', /userConsistency applies only/],
    ['an unknown field', { colour: 'red' }, 400, 'ARGS_INVALID', /unknown field colour/],
    ['a wrong type', { persistent: 'yes' }, 400, 'ARGS_INVALID', /persistent/],
  ])('refuses %s alone (REST v1)', async (_, change, status, code, message) => {
    const answer = await client.post(CONFIGS, { ...app, ...valid, ...change });
    expect([answer.status, answer.body.code]).toEqual([status, code]);
    expect(answer.body.message).toMatch(message);
    expect(answer.body.requestId).toEqual(expect.any(String));
    expect((await client.get(`${CONFIGS}/RULES`, app)).status).toBe(404);
  });

  it('refuses a second configuration with the same bizType, changes of immutable fields and edits the dependencies forbid', async () => {
    expect((await client.post(CONFIGS, { ...app, ...valid, bizType: 'FIXED' })).status).toBe(201);
    const twice = await client.post(CONFIGS, { ...app, ...valid, bizType: 'FIXED' });
    expect([twice.status, twice.body.code]).toEqual([409, 'CONFIG_EXISTS']);
    for (const [field, value] of [
      ['bizType', 'RENAMED'],
      ['pushRange', 'GLOBAL'],
      ['pushObject', 'DEVICE'],
      ['multiDevice', true],
      ['persistent', false],
    ] as const) {
      const answer = await client.patch(`${CONFIGS}/FIXED`, { ...app, [field]: value });
      expect([field, answer.status, answer.body.code]).toEqual([field, 400, 'CONFIG_FIELD_IMMUTABLE']);
      expect(answer.body.message).toContain(field);
    }
    // The console's edit form sends the unchanged immutable fields back: accepted.
    expect((await client.patch<ConfigBody>(`${CONFIGS}/FIXED`, { ...app, ...valid, bizType: 'FIXED', description: 'new' })).body.config).toMatchObject({ description: 'new', multiDevice: false });

    expect((await client.post(CONFIGS, { ...app, ...valid, bizType: 'VOLATILE', persistent: false })).status).toBe(201);
    const threshold = await client.patch(`${CONFIGS}/VOLATILE`, { ...app, threshold: 5 });
    expect([threshold.status, threshold.body.code]).toEqual([400, 'ARGS_INVALID']);
    expect((await client.post(CONFIGS, { ...app, ...valid, bizType: 'BY-DEVICE', pushObject: 'DEVICE', multiDevice: undefined })).status).toBe(201);
    const consistency = await client.patch(`${CONFIGS}/BY-DEVICE`, { ...app, userConsistency: true });
    expect([consistency.status, consistency.body.code]).toEqual([400, 'ARGS_INVALID']);
    const unknown = await client.patch(`${CONFIGS}/NOPE`, { ...app, description: 'x' });
    expect([unknown.status, unknown.body.code]).toEqual([404, 'CONFIG_NOT_FOUND']);
    const missing = await client.delete(`${CONFIGS}/NOPE`, app);
    expect([missing.status, missing.body.code]).toEqual([404, 'CONFIG_NOT_FOUND']);
  });

  it('answers 403 INVALID_TENANT_ID when a key of another app names this one, on every route', async () => {
    await admin.newTenant('app-cfg-other', 'ws1');
    const other = { appId: 'app-cfg-other', workspaceId: 'ws1' };
    expect((await client.post(CONFIGS, { ...app, ...valid, bizType: 'MINE' })).status).toBe(201);
    const answers = [
      await client.post(CONFIGS, { ...other, ...valid, bizType: 'THEIRS' }),
      await client.get(CONFIGS, other),
      await client.get(`${CONFIGS}/MINE`, other),
      await client.patch(`${CONFIGS}/MINE`, { ...other, description: 'x' }),
      await client.post(`${CONFIGS}/MINE/offline`, other),
      await client.post(`${CONFIGS}/MINE/online`, other),
      await client.delete(`${CONFIGS}/MINE`, other),
    ];
    expect(answers.map((a) => [a.status, a.body.code])).toEqual(Array(7).fill([403, 'INVALID_TENANT_ID']));
    const unsigned = await fetch(`${base}${CONFIGS}?appId=app-cfg&workspaceId=ws1`);
    expect(unsigned.status).toBe(401);
    // The other app has no configurations; this one is untouched.
    expect((await client.get<ConfigBody>(`${CONFIGS}/MINE`, app)).body.config).toMatchObject({ status: 'ONLINE', description: 'd' });
  });
  it('documents both faces in the OpenAPI document', async () => {
    const openapi = (await (await fetch(`${base}/docs/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(openapi.paths['/v1/sync/configs/{bizType}']).sort()).toEqual(['delete', 'get', 'patch']);
    expect(Object.keys(openapi.paths['/admin/v1/apps/{instanceId}/sync/configs']).sort()).toEqual(['get', 'post']);
    expect(openapi.paths['/v1/sync/configs/{bizType}/offline']).toHaveProperty('post');
  });

  it('records an unsigned change (signature switch off) as unsigned:<instanceId>', async () => {
    await admin.newTenant('app-cfg-open', 'ws1');
    expect((await admin.call('PATCH', '/admin/v1/apps/ws1_app-cfg-open/settings', { signatureEnabled: false })).status).toBe(200);
    const response = await fetch(`${base}${CONFIGS}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ appId: 'app-cfg-open', workspaceId: 'ws1', ...valid, bizType: 'OPEN' }),
    });
    const body = (await response.json()) as ConfigBody;
    expect([response.status, body.code, body.config.operator]).toEqual([201, 'SUCCESS', 'unsigned:ws1_app-cfg-open']);
    const [record] = await operations({ instanceId: 'ws1_app-cfg-open', action: 'NEW_CONFIGURATION' });
    expect(record.operator).toBe('unsigned:ws1_app-cfg-open');
  });
});

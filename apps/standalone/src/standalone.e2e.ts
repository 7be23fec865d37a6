import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import RPCClient from '@alicloud/pop-core';
import { AdminClient, ServiceProcess, TenantClient, freePort } from '@pushsync/testing';

const OWNER = `e2eowner.${randomBytes(24).toString('base64url')}`;

describe('standalone: one process on embedded adapters', () => {
  let dataDir: string;
  let port: number;
  let base: string;
  let standalone: ServiceProcess;
  let admin: AdminClient;

  const start = async (extraEnv: Record<string, string> = {}) => {
    standalone = new ServiceProcess('standalone', { PUSHSYNC_DATA_DIR: dataDir, HTTP_PORT: String(port), PUSHSYNC_ADMIN_KEY: OWNER, RATE_LIMIT_PER_APP: '1000', ...extraEnv }).start();
    await standalone.waitUntilReady(`${base}/readyz`);
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'pushsync-standalone-'));
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
    admin = new AdminClient(base, OWNER);
    await start();
  });

  afterAll(async () => {
    await standalone?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves health, readiness with each dependency, Prometheus metrics and the OpenAPI document', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = (await (await fetch(`${base}/readyz`)).json()) as { ready: boolean; checks: Array<{ name: string; ok: boolean }> };
    expect(ready.ready).toBe(true);
    expect(ready.checks.map((c) => c.name)).toEqual(['store (embedded)', 'stream (embedded)', 'bus (in-process)']);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('process_resident_memory_bytes{service="standalone"}');
    const openapi = (await (await fetch(`${base}/docs/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(openapi.openapi).toMatch(/^3\./);
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/admin/v1/apps', '/v1/status']));
  });

  it('lets a tenant created through the admin API call a signed REST v1 endpoint', async () => {
    const tenant = await admin.newTenant('app-rest', 'ws1');
    const client = new TenantClient(base, tenant.accessKeyId, tenant.accessKeySecret);
    const answer = await client.get<{ code: string; appId: string; services: Array<{ service: string; appKnown: boolean }> }>('/v1/status', { appId: 'app-rest', workspaceId: 'ws1' });
    expect(answer.status).toBe(200);
    expect(answer.body.code).toBe('OK');
    expect(answer.body.services.map((s) => [s.service, s.appKnown])).toEqual([
      ['sync-core', true],
      ['push-core', true],
    ]);
  });

  it('refuses bad, expired, replayed and cross-app signatures with a code naming the problem', async () => {
    const tenant = await admin.newTenant('app-sig', 'ws1');
    const other = await admin.newTenant('app-other', 'ws1');
    const client = new TenantClient(base, tenant.accessKeyId, tenant.accessKeySecret);
    const query = { appId: 'app-sig', workspaceId: 'ws1' };

    const wrongSecret = await client.get('/v1/status', query, { secret: 'not-the-secret' });
    expect([wrongSecret.status, wrongSecret.body.code]).toEqual([401, 'SIGNATURE_MISMATCH']);

    const tampered = await client.get('/v1/status', query, { tamperQuery: { ...query, workspaceId: 'ws9' } });
    expect([tampered.status, tampered.body.code]).toEqual([401, 'SIGNATURE_MISMATCH']);

    const old = new Date(Date.now() - 6 * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const expired = await client.get('/v1/status', query, { date: old });
    expect([expired.status, expired.body.code]).toEqual([401, 'REQUEST_EXPIRED']);

    const nonce = randomBytes(12).toString('hex');
    expect((await client.get('/v1/status', query, { nonce })).status).toBe(200);
    const replayed = await client.get('/v1/status', query, { nonce });
    expect([replayed.status, replayed.body.code]).toEqual([401, 'NONCE_REPLAYED']);

    const crossApp = await client.get('/v1/status', { appId: 'app-other', workspaceId: 'ws1' });
    expect([crossApp.status, crossApp.body.code]).toEqual([403, 'APPID_WRONG']);
    expect((await new TenantClient(base, other.accessKeyId, other.accessKeySecret).get('/v1/status', { appId: 'app-other', workspaceId: 'ws1' })).status).toBe(200);

    const unsigned = await fetch(`${base}/v1/status?appId=app-sig&workspaceId=ws1`);
    expect(unsigned.status).toBe(401);
    expect(((await unsigned.json()) as { code: string }).code).toBe('MISSING_AUTHORIZATION');
  });

  it('honours the signature switch, app disabling and key revocation, recording each admin action', async () => {
    const tenant = await admin.newTenant('app-switch', 'ws2');
    const instance = '/admin/v1/apps/ws2_app-switch';
    expect((await admin.call('PATCH', `${instance}/settings`, { signatureEnabled: false })).status).toBe(200);
    const unsigned = await fetch(`${base}/v1/status?appId=app-switch&workspaceId=ws2`);
    expect(unsigned.status).toBe(200);

    expect((await admin.call('POST', `${instance}/disable`)).status).toBe(200);
    const client = new TenantClient(base, tenant.accessKeyId, tenant.accessKeySecret);
    const disabled = await client.get('/v1/status', { appId: 'app-switch', workspaceId: 'ws2' });
    expect([disabled.status, disabled.body.code]).toEqual([403, 'APP_DISABLED']);
    expect((await admin.call('POST', `${instance}/enable`)).status).toBe(200);

    expect((await admin.call('DELETE', `${instance}/access-keys/${tenant.accessKeyId}`)).status).toBe(200);
    const revoked = await client.get('/v1/status', { appId: 'app-switch', workspaceId: 'ws2' });
    expect([revoked.status, revoked.body.code]).toEqual([401, 'UNKNOWN_ACCESS_KEY']);

    const records = await admin.call<{ operations: Array<{ action: string; details: Record<string, unknown>; time: string }> }>('GET', '/admin/v1/operations?instanceId=ws2_app-switch');
    expect(records.body.operations.map((o) => o.action)).toEqual(['ACCESS_KEY_REVOKE', 'APP_ENABLE', 'APP_DISABLE', 'CLOSE_SIGNATURE', 'ACCESS_KEY_ISSUE', 'APP_CREATE']);
    expect(records.body.operations[3].details).toEqual({ signatureEnabled: { from: true, to: false } });
    expect(records.body.operations[0].time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('accepts a call signed by the official Alibaba Cloud client (@alicloud/pop-core) and refuses a tampered one', async () => {
    const tenant = await admin.newTenant('app-pop', 'ws3');
    const client = new RPCClient({ accessKeyId: tenant.accessKeyId, accessKeySecret: tenant.accessKeySecret, endpoint: base, apiVersion: '2020-10-28' });
    const result = (await client.request('DescribeServiceStatus', { AppId: 'app-pop', WorkspaceId: 'ws3' }, { method: 'POST' })) as { ResultCode: string; ResultContent: { AppId: string } };
    expect(result.ResultCode).toBe('OK');
    expect(result.ResultContent.AppId).toBe('app-pop');

    const forged = new RPCClient({ accessKeyId: tenant.accessKeyId, accessKeySecret: 'forged-secret', endpoint: base, apiVersion: '2020-10-28' });
    await expect(forged.request('DescribeServiceStatus', { AppId: 'app-pop', WorkspaceId: 'ws3' }, { method: 'POST' })).rejects.toMatchObject({ code: 'SIGNATURE_MISMATCH' });

    const crossApp = (await client.request('DescribeServiceStatus', { AppId: 'app-rest', WorkspaceId: 'ws1' }, { method: 'POST' })) as { ResultCode: string };
    expect(crossApp.ResultCode).toBe('APPID_WRONG');
  });

  it('answers malformed, oversize and unknown-field requests with a clear error and keeps serving', async () => {
    const malformed = await fetch(`${base}/admin/v1/apps`, { method: 'POST', headers: { authorization: `Bearer ${OWNER}`, 'content-type': 'application/json' }, body: '{"appId": ' });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { code: string }).code).toBe('MALFORMED_REQUEST');

    const oversize = await fetch(`${base}/admin/v1/apps`, { method: 'POST', headers: { authorization: `Bearer ${OWNER}`, 'content-type': 'application/json' }, body: JSON.stringify({ appId: 'x'.repeat(1024 * 1024 + 10) }) });
    expect(oversize.status).toBe(413);

    const unknownField = await admin.call('POST', '/admin/v1/apps', { appId: 'a1', workspaceId: 'w', colour: 'red' });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.message).toContain('colour');

    const wrongType = await admin.call('POST', '/admin/v1/apps', { appId: 42, workspaceId: 'w' });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.message).toContain('appId');

    const duplicate = await admin.call('POST', '/admin/v1/apps', { appId: 'app-rest', workspaceId: 'ws1' });
    expect([duplicate.status, duplicate.body.code]).toEqual([409, 'APP_EXISTS']);

    expect((await new AdminClient(base, undefined).call('GET', '/admin/v1/apps')).status).toBe(401);
    expect((await new AdminClient(base, 'psadm_nope.abcdefghijklmnopqrstuv').call('GET', '/admin/v1/apps')).status).toBe(401);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('gives operator keys only what their role allows', async () => {
    const viewer = await admin.call<{ credential: string }>('POST', '/admin/v1/admin-keys', { name: 'auditor', role: 'viewer', apps: ['ws1_app-rest'] });
    const asViewer = new AdminClient(base, viewer.body.credential);
    expect((await asViewer.call('GET', '/admin/v1/apps/ws1_app-rest')).status).toBe(200);
    expect((await asViewer.call('GET', '/admin/v1/apps/ws3_app-pop')).status).toBe(403);
    expect((await asViewer.call('POST', '/admin/v1/apps', { appId: 'nope', workspaceId: 'w' })).status).toBe(403);
    expect((await asViewer.call('PATCH', '/admin/v1/apps/ws1_app-rest/settings', { apiEnabled: false })).status).toBe(403);
    const visible = await asViewer.call<{ apps: Array<{ instanceId: string }> }>('GET', '/admin/v1/apps');
    expect(visible.body.apps.map((a) => a.instanceId)).toEqual(['ws1_app-rest']);
  });

  it('keeps apps and keys across kill -9 and restart', async () => {
    const tenant = await admin.newTenant('app-durable', 'ws4');
    await standalone.kill9();
    await start();
    const answer = await new TenantClient(base, tenant.accessKeyId, tenant.accessKeySecret).get('/v1/status', { appId: 'app-durable', workspaceId: 'ws4' });
    expect(answer.status).toBe(200);
  });

  it('limits each app to its request rate', async () => {
    await standalone.stop();
    await start({ RATE_LIMIT_PER_APP: '3' });
    const tenant = await admin.newTenant('app-rate', 'ws5');
    const client = new TenantClient(base, tenant.accessKeyId, tenant.accessKeySecret);
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await client.get('/v1/status', { appId: 'app-rate', workspaceId: 'ws5' })).status);
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(6);
  });
});

describe('standalone first start', () => {
  it('generates an owner admin key, prints it once, and it works', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pushsync-first-'));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    try {
      const first = new ServiceProcess('standalone', { PUSHSYNC_DATA_DIR: dataDir, HTTP_PORT: String(port) }).start();
      await first.waitUntilReady(`${base}/readyz`);
      const credential = /PUSHSYNC_ADMIN_KEY=(\S+)/.exec(first.stdout)?.[1];
      expect(credential).toBeDefined();
      expect((await new AdminClient(base, credential).call('GET', '/admin/v1/apps')).status).toBe(200);
      expect(await first.stop()).toBe(0);

      const second = new ServiceProcess('standalone', { PUSHSYNC_DATA_DIR: dataDir, HTTP_PORT: String(port) }).start();
      await second.waitUntilReady(`${base}/readyz`);
      expect(second.stdout).not.toContain('PUSHSYNC_ADMIN_KEY=');
      expect((await new AdminClient(base, credential).call('GET', '/admin/v1/apps')).status).toBe(200);
      await second.stop();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('exits at once naming a bad configuration variable', async () => {
    const bad = new ServiceProcess('standalone', { HTTP_PORT: 'eighty', PUSHSYNC_MODE: 'sideways' }).start();
    expect(await bad.exited()).toBe(1);
    expect(bad.stdout).toContain('HTTP_PORT');
    expect(bad.stdout).toContain('PUSHSYNC_MODE');
  });
});

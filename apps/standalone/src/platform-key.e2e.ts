import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminClient, ServiceProcess, TenantClient, freePort } from '@pushsync/testing';

const OWNER = `e2eowner.${randomBytes(24).toString('base64url')}`;
const PRIVATE_KEY_MARKER = /PRIVATE KEY|privateKey/;

interface AppView {
  instanceId: string;
  syncValidationUrl: string | null;
  platformPublicKey: string | null;
}
interface OperationView {
  action: string;
  operator: string;
  details: Record<string, unknown>;
}

/** The platform key pair and the validation URL setting (DECISIONS D1, D3) on the standalone process. */
describe('standalone: platform key and user consistency validation URL', () => {
  let dataDir: string;
  let base: string;
  let standalone: ServiceProcess;
  let admin: AdminClient;
  /** Every answer body, to prove none of them carries the private key. */
  const bodies: unknown[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'pushsync-platform-key-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    admin = new AdminClient(base, OWNER);
    standalone = new ServiceProcess('standalone', { PUSHSYNC_DATA_DIR: dataDir, HTTP_PORT: String(port), PUSHSYNC_ADMIN_KEY: OWNER, RATE_LIMIT_PER_APP: '100000' }).start();
    await standalone.waitUntilReady(`${base}/readyz`);
  });

  afterAll(async () => {
    await standalone?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const adminCall = async <T>(method: string, path: string, body?: unknown, client = admin) => {
    const answer = await client.call<T>(method, path, body);
    bodies.push(answer.body);
    return answer;
  };

  it('publishes the same public key to operators and to the tenant, and never the private key', async () => {
    const tenant = await admin.newTenant('app-key', 'wsk');
    const app = { appId: 'app-key', workspaceId: 'wsk' };
    const viewer = await adminCall<{ credential: string }>('POST', '/admin/v1/admin-keys', { name: 'auditor', role: 'viewer', apps: ['wsk_app-key'] });
    const asViewer = new AdminClient(base, viewer.body.credential);

    const fromAdmin = await adminCall<{ instanceId: string; publicKey: string }>('GET', '/admin/v1/apps/wsk_app-key/platform-key', undefined, asViewer);
    expect(fromAdmin.status).toBe(200);
    expect(fromAdmin.body.instanceId).toBe('wsk_app-key');
    expect(fromAdmin.body.publicKey).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+-----END PUBLIC KEY-----\n$/);

    const fromTenant = await new TenantClient(base, tenant.accessKeyId, tenant.accessKeySecret).get<{ code: string; requestId: string; publicKey: string }>('/v1/platform-key', app);
    bodies.push(fromTenant.body);
    expect(fromTenant.status).toBe(200);
    expect(fromTenant.body).toEqual({ code: 'OK', requestId: expect.any(String), publicKey: fromAdmin.body.publicKey });

    const view = await adminCall<AppView>('GET', '/admin/v1/apps/wsk_app-key');
    expect(view.body.platformPublicKey).toBe(fromAdmin.body.publicKey);
    bodies.push((await adminCall('GET', '/admin/v1/apps')).body);

    const unsigned = await fetch(`${base}/v1/platform-key?appId=app-key&workspaceId=wsk`);
    expect(unsigned.status).toBe(401);
    expect((await adminCall('GET', '/admin/v1/apps/wsk_nope/platform-key')).status).toBe(404);

    for (const body of bodies) expect(JSON.stringify(body)).not.toMatch(PRIVATE_KEY_MARKER);
  });

  it('sets and clears the validation URL with operation records', async () => {
    await admin.newTenant('app-url', 'wsk');
    const created = await adminCall<AppView>('GET', '/admin/v1/apps/wsk_app-url');
    expect(created.body.syncValidationUrl).toBeNull();

    const url = 'https://tenant.example/mgw/validate?tenant=a%20b';
    const set = await adminCall<AppView>('PATCH', '/admin/v1/apps/wsk_app-url/settings', { syncValidationUrl: url });
    expect([set.status, set.body.syncValidationUrl]).toEqual([200, url]);
    expect((await adminCall<AppView>('GET', '/admin/v1/apps/wsk_app-url')).body.syncValidationUrl).toBe(url);

    for (const refused of ['ftp://tenant.example/x', 'not a url', `https://tenant.example/${'a'.repeat(2030)}`, 42]) {
      const answer = await adminCall<{ message: string }>('PATCH', '/admin/v1/apps/wsk_app-url/settings', { syncValidationUrl: refused });
      expect(answer.status).toBe(400);
      expect(answer.body.message).toContain('syncValidationUrl');
    }

    const cleared = await adminCall<AppView>('PATCH', '/admin/v1/apps/wsk_app-url/settings', { syncValidationUrl: null });
    expect([cleared.status, cleared.body.syncValidationUrl]).toEqual([200, null]);

    const records = await adminCall<{ operations: OperationView[] }>('GET', '/admin/v1/operations?instanceId=wsk_app-url&action=APP_SETTINGS_CHANGE');
    expect(records.body.operations.map((record) => record.details)).toEqual([
      { syncValidationUrl: { from: url, to: null } },
      { syncValidationUrl: { from: null, to: url } },
    ]);
    for (const body of bodies) expect(JSON.stringify(body)).not.toMatch(PRIVATE_KEY_MARKER);
  });
});

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminClient, ServiceProcess, TenantClient, freePort, type HttpAnswer } from '@pushsync/testing';

const OWNER = `e2eowner.${randomBytes(24).toString('base64url')}`;
const DISPLAY_DEFAULTS = { displayType: 'NOTIFICATION', style: 0, action: 0, iconUrl: null, imageUrl: null };

interface TemplateView {
  name: string;
  title: string;
  content: string;
  uri: string;
  description: string | null;
  displayType: 'NOTIFICATION' | 'SILENT';
  style: number;
  action: number;
  iconUrl: string | null;
  imageUrl: string | null;
  createdAt: string;
  updatedAt: string;
}
interface Refusal {
  code: string;
  numericCode?: number;
  message: string;
  requestId: string;
}

/** Message templates through signed REST v1 (mps.md §5, DECISIONS D2/D4) on the standalone process. */
describe('standalone: message templates over REST v1', () => {
  let dataDir: string;
  let base: string;
  let standalone: ServiceProcess;
  let admin: AdminClient;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'pushsync-templates-'));
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

  const tenantOf = async (appId: string, workspaceId = 'wst') => {
    const tenant = await admin.newTenant(appId, workspaceId);
    return { client: new TenantClient(base, tenant.accessKeyId, tenant.accessKeySecret), app: { appId, workspaceId } };
  };
  const refused = (answer: HttpAnswer<unknown>) => {
    const body = answer.body as Refusal;
    return [answer.status, body.code, body.numericCode];
  };

  it('creates, lists newest first, gets, updates and deletes a template', async () => {
    const { client, app } = await tenantOf('app-tpl');
    const display = { displayType: 'SILENT', style: 2, action: 1, iconUrl: 'https://cdn.example.com/icon.png', imageUrl: 'https://cdn.example.com/banner.JPEG?v=1' };
    const created = await client.post<{ code: string; requestId: string; template: TemplateView }>('/v1/templates', {
      ...app,
      name: 'prize_1',
      title: 'Hi #name#',
      content: 'Congratulations to #name# for winning RMB #money#',
      uri: 'https://example.com/#/prize?u=#name#',
      description: 'prize notice',
      ...display,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ code: 'OK', requestId: expect.any(String), template: { name: 'prize_1', title: 'Hi #name#', uri: 'https://example.com/#/prize?u=#name#', description: 'prize notice', ...display } });
    expect(created.body.template.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await client.post('/v1/templates', { ...app, name: 'plain', title: 't', content: 'c' })).status).toBe(201);

    const list = await client.get<{ code: string; templates: TemplateView[]; total: number; page: number; pageSize: number }>('/v1/templates', app);
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ code: 'OK', total: 2, page: 1, pageSize: 500 });
    expect(list.body.templates.map((t) => t.name)).toEqual(['plain', 'prize_1']);
    expect(list.body.templates[0]).toMatchObject({ uri: '', description: null, ...DISPLAY_DEFAULTS });
    expect(list.body.templates[1]).toEqual(created.body.template);
    const second = await client.get<{ templates: TemplateView[] }>('/v1/templates', { ...app, page: '2', pageSize: '1' });
    expect(second.body.templates.map((t) => t.name)).toEqual(['prize_1']);

    const got = await client.get<{ code: string; template: TemplateView }>('/v1/templates/prize_1', app);
    expect([got.status, got.body.code, got.body.template]).toEqual([200, 'OK', created.body.template]);

    const updated = await client.put<{ code: string; template: TemplateView }>('/v1/templates/prize_1', { ...app, title: 'New title', content: 'New #x#' });
    expect(updated.status).toBe(200);
    expect(updated.body.template).toMatchObject({ name: 'prize_1', title: 'New title', content: 'New #x#', uri: '', description: null, ...DISPLAY_DEFAULTS, createdAt: created.body.template.createdAt });
    expect((await client.get<{ template: TemplateView }>('/v1/templates/prize_1', app)).body.template).toEqual(updated.body.template);
    const restyled = await client.put<{ template: TemplateView }>('/v1/templates/prize_1', { ...app, title: 't', content: 'c', style: 1, action: 1, iconUrl: 'http://cdn.example.com/i.jpg' });
    expect(restyled.body.template).toMatchObject({ displayType: 'NOTIFICATION', style: 1, action: 1, iconUrl: 'http://cdn.example.com/i.jpg', imageUrl: null });
    expect((await client.get<{ template: TemplateView }>('/v1/templates/prize_1', app)).body.template).toEqual(restyled.body.template);

    const openapi = (await (await fetch(`${base}/docs/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/v1/templates', '/v1/templates/{name}']));

    const deleted = await client.delete('/v1/templates/prize_1', app);
    expect([deleted.status, deleted.body]).toEqual([200, { code: 'OK', requestId: expect.any(String), name: 'prize_1' }]);
    expect(refused(await client.get('/v1/templates/prize_1', app))).toEqual([404, 'TEMPLATE_NOT_EXIST', 3022]);
  });

  it('refuses each rule violated alone with its documented code', async () => {
    const { client, app } = await tenantOf('app-rules');
    const valid = { ...app, name: 'ok_name', title: 'title', content: 'content', uri: 'myapp://open', description: 'desc' };
    const cases: Array<[string, Record<string, unknown>, number, string, number]> = [
      ['no name', { ...valid, name: undefined }, 400, 'TEMPLATE_NAME_NULL', 3037],
      ['empty name', { ...valid, name: '' }, 400, 'TEMPLATE_NAME_NULL', 3037],
      ['name with a dash', { ...valid, name: 'bad-name' }, 400, 'TEMPLATE_NAME_INVALID', 3038],
      ['name of 201 characters', { ...valid, name: 'n'.repeat(201) }, 400, 'TEMPLATE_NAME_INVALID', 3038],
      ['empty content', { ...valid, content: '' }, 400, 'TEMPLATE_CONTENT_INVALID', 3039],
      ['no title', { ...valid, title: undefined }, 400, 'TEMPLATE_TITLE_INVALID', 3040],
      ['title of 201 characters', { ...valid, title: 't'.repeat(201) }, 400, 'TEMPLATE_TITLE_INVALID', 3040],
      ['description of 201 characters', { ...valid, description: 'd'.repeat(201) }, 400, 'TEMPLATE_DESC_INFO_INVALID', 3041],
      ['uri with a space', { ...valid, uri: 'https://x/a b' }, 400, 'TEMPLATE_URI_INVALID', 3042],
      ['content of 4001 characters', { ...valid, content: 'c'.repeat(4001) }, 400, 'SINGLE_PUSH_CONTENT_TOO_LONG', 3043],
      ['a wrong type', { ...valid, title: 5 }, 400, 'INVALID_PARAM', 3028],
    ];
    for (const [, body, status, code, numericCode] of cases) {
      expect([...refused(await client.post('/v1/templates', body)), body]).toEqual([status, code, numericCode, body]);
    }
    const displayCases: Array<[string, Record<string, unknown>]> = [
      ['displayType', { displayType: 'silent' }],
      ['displayType', { displayType: 1 }],
      ['style', { style: 3 }],
      ['style', { style: 1.5 }],
      ['style', { style: '1' }],
      ['action', { action: 2 }],
      ['action', { action: 2 ** 32 + 1 }],
      ['iconUrl', { iconUrl: 'ftp://cdn.example.com/i.png' }],
      ['iconUrl', { iconUrl: 'https://cdn.example.com/i.gif' }],
      ['imageUrl', { imageUrl: 'cdn.example.com/i.png' }],
      ['imageUrl', { imageUrl: `https://cdn.example.com/${'i'.repeat(2049 - 'https://cdn.example.com/.png'.length)}.png` }],
    ];
    for (const [field, invalid] of displayCases) {
      const answer = await client.post<Refusal>('/v1/templates', { ...valid, ...invalid });
      expect([...refused(answer), answer.body.message.includes(field), invalid]).toEqual([400, 'INVALID_PARAM', 3028, true, invalid]);
    }
    expect(refused(await client.post('/v1/templates', { ...valid, appId: undefined }))).toEqual([400, 'NEED_APPID_WORKSPACEID', 3003]);
    expect(refused(await client.get('/v1/templates', { appId: app.appId }))).toEqual([400, 'NEED_APPID_WORKSPACEID', 3003]);
    const unknownField = await client.post<Refusal>('/v1/templates', { ...valid, silent: true });
    expect(refused(unknownField)).toEqual([400, 'INVALID_PARAM', 3028]);
    expect(unknownField.body.message).toContain('silent');

    expect((await client.post('/v1/templates', valid)).status).toBe(201);
    expect(refused(await client.post('/v1/templates', valid))).toEqual([400, 'TEMPLATE_ALREADY_EXIST', 3036]);
    expect(refused(await client.put('/v1/templates/ok_name', { ...app, title: '', content: 'c' }))).toEqual([400, 'TEMPLATE_TITLE_INVALID', 3040]);
    expect(refused(await client.put('/v1/templates/ok_name', { ...app, title: 't', content: 'c', imageUrl: 'https://cdn.example.com/i.svg' }))).toEqual([400, 'INVALID_PARAM', 3028]);
    expect(refused(await client.put('/v1/templates/ok_name', { ...app, title: 't', content: 'c', name: 'rename' }))).toEqual([400, 'INVALID_PARAM', 3028]);
    expect(refused(await client.put('/v1/templates/missing', { ...app, title: 't', content: 'c' }))).toEqual([404, 'TEMPLATE_NOT_EXIST', 3022]);
    expect(refused(await client.delete('/v1/templates/missing', app))).toEqual([404, 'TEMPLATE_NOT_EXIST', 3022]);
    expect(refused(await client.get('/v1/templates', { ...app, page: '0' }))).toEqual([400, 'INVALID_PARAM', 3028]);
    expect(refused(await client.get('/v1/templates', { ...app, pageSize: 'ten' }))).toEqual([400, 'INVALID_PARAM', 3028]);
    expect(refused(await client.get('/v1/templates', { ...app, pageSize: '501' }))).toEqual([400, 'INVALID_PARAM', 3028]);
  });

  it('refuses a key of another app with 403 APPID_WRONG and an app whose API switch is off with 3032', async () => {
    const { client, app } = await tenantOf('app-own');
    await tenantOf('app-foreign');
    const foreign = { appId: 'app-foreign', workspaceId: 'wst' };
    expect(refused(await client.post('/v1/templates', { ...foreign, name: 'x', title: 't', content: 'c' }))).toEqual([403, 'APPID_WRONG', 3007]);
    expect(refused(await client.get('/v1/templates', foreign))).toEqual([403, 'APPID_WRONG', 3007]);
    expect(refused(await client.delete('/v1/templates/x', foreign))).toEqual([403, 'APPID_WRONG', 3007]);
    expect(refused(await client.put('/v1/templates/x', { ...foreign, title: 't', content: 'c' }))).toEqual([403, 'APPID_WRONG', 3007]);

    expect((await client.post('/v1/templates', { ...app, name: 'kept', title: 't', content: 'c' })).status).toBe(201);
    expect((await admin.call('PATCH', '/admin/v1/apps/wst_app-own/settings', { apiEnabled: false })).status).toBe(200);
    expect(refused(await client.get('/v1/templates/kept', app))).toEqual([403, 'REST_API_SWITCH_NOT_OPEN', 3032]);
    expect(refused(await client.post('/v1/templates', { ...app, name: 'other', title: 't', content: 'c' }))).toEqual([403, 'REST_API_SWITCH_NOT_OPEN', 3032]);
    expect((await admin.call('PATCH', '/admin/v1/apps/wst_app-own/settings', { apiEnabled: true })).status).toBe(200);
    expect((await client.get('/v1/templates/kept', app)).status).toBe(200);
  });

  it('keeps at most 1000 templates per app: the 1001st answers 3056', async () => {
    const { client, app } = await tenantOf('app-many');
    for (let batch = 0; batch < 20; batch++) {
      const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => client.post('/v1/templates', { ...app, name: `t_${batch}_${i}`, title: 't', content: 'c' })));
      expect(answers.map((a) => a.status)).toEqual(Array(50).fill(201));
    }
    expect(refused(await client.post('/v1/templates', { ...app, name: 'one_too_many', title: 't', content: 'c' }))).toEqual([400, 'TEMPLATE_NUM_TOO_MUCH', 3056]);
    expect((await client.get<{ total: number }>('/v1/templates', { ...app, pageSize: '1' })).body.total).toBe(1000);
    expect((await client.delete('/v1/templates/t_0_0', app)).status).toBe(200);
    expect((await client.post('/v1/templates', { ...app, name: 'one_too_many', title: 't', content: 'c' })).status).toBe(201);
  }, 60_000);
});

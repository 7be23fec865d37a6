import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { eventually } from '@pushsync/platform/testing';
import { InProcessBus, InProcessKeyValue, SqliteStore } from '@pushsync/platform';
import { Lifecycle } from '@pushsync/runtime';
import { signRestV1, type Operator, type SignedHttpRequest } from '@pushsync/tenancy';
import { TenancyRepositories } from '../../shared/tenancy-repositories';
import { TenancyServices } from '../tenancy-services';
import { TenantAuthenticator } from './tenant-authenticator';
import { TenantCredentials } from './tenant-credentials';

const OWNER: Operator = { id: 'owner', role: 'owner', apps: [] };

/** The authenticator over the real embedded store and KV: the three faces' tenant rules. */
describe('TenantAuthenticator', () => {
  let store: SqliteStore;
  let bus: InProcessBus;
  let keyValue: InProcessKeyValue;
  let authenticator: TenantAuthenticator;
  let tenancy: TenancyServices;
  let key: { id: string; secret: string };
  const clock = { now: () => Date.now() };
  const logger = pino({ level: 'silent' });

  /** An api-gateway node over the shared store, bus and KV. */
  const node = async () => {
    const lifecycle = new Lifecycle();
    const repositories = new TenancyRepositories(store, lifecycle);
    const credentials = new TenantCredentials(repositories, bus, clock, logger, lifecycle);
    const services = new TenancyServices(repositories, credentials, logger, clock);
    const nodeAuthenticator = new TenantAuthenticator(credentials, clock, keyValue, lifecycle);
    await lifecycle.startAll();
    return { tenancy: services, authenticator: nodeAuthenticator };
  };

  const signed = (method: string, url: string, body: string, secret = key.secret): SignedHttpRequest => {
    const [path, query = ''] = url.split('?');
    return { method, url, body, headers: { ...signRestV1({ accessKeyId: key.id, secret, method, path, query, body, nonce: randomBytes(12).toString('hex') }) } };
  };

  beforeEach(async () => {
    store = new SqliteStore(':memory:');
    bus = new InProcessBus();
    keyValue = new InProcessKeyValue();
    ({ tenancy, authenticator } = await node());
    await tenancy.administration.createApp(OWNER, { appId: 'APP1', workspaceId: 'ws_prod' });
    await tenancy.administration.createApp(OWNER, { appId: 'APP2', workspaceId: 'ws_prod' });
    const issued = await tenancy.administration.issueAccessKey(OWNER, 'ws_prod', 'APP1');
    key = { id: issued._id, secret: issued.secret };
  });

  afterEach(() => store.close());

  describe('MSS private-cloud face', () => {
    it('accepts a signed call for the instance of the key, splitting the instance id at the last underscore', async () => {
      const tenant = await authenticator.mssPrivateCloud(signed('POST', '/webapi/sync/single?instanceId=ws_prod_APP1', '{}'), 'ws_prod_APP1');
      expect([tenant.app.workspaceId, tenant.app.appId, tenant.accessKeyId]).toEqual(['ws_prod', 'APP1', key.id]);
    });

    it('refuses a key of another instance with INVALID_TENANT_ID', async () => {
      await expect(authenticator.mssPrivateCloud(signed('POST', '/webapi/sync/single?instanceId=ws_prod_APP2', '{}'), 'ws_prod_APP2')).rejects.toMatchObject({ code: 'INVALID_TENANT_ID', kind: 'forbidden' });
    });

    it('refuses a missing or malformed instance id with INVALID_TENANT_ID', async () => {
      await expect(authenticator.mssPrivateCloud(signed('POST', '/webapi/sync/single', '{}'), undefined)).rejects.toMatchObject({ code: 'INVALID_TENANT_ID' });
      await expect(authenticator.mssPrivateCloud(signed('POST', '/webapi/sync/single?instanceId=APP1', '{}'), 'APP1')).rejects.toMatchObject({ code: 'INVALID_TENANT_ID' });
    });

    it('refuses a tampered signature', async () => {
      await expect(authenticator.mssPrivateCloud(signed('POST', '/webapi/sync/single?instanceId=ws_prod_APP1', '{}', 'wrong'), 'ws_prod_APP1')).rejects.toMatchObject({ code: 'SIGNATURE_MISMATCH', kind: 'authentication' });
    });

    it('accepts an unsigned call only once the app switched signatures off', async () => {
      const unsigned: SignedHttpRequest = { method: 'POST', url: '/webapi/sync/global?instanceId=ws_prod_APP2', headers: {}, body: '{}' };
      await expect(authenticator.mssPrivateCloud(unsigned, 'ws_prod_APP2')).rejects.toMatchObject({ code: 'MISSING_AUTHORIZATION' });
      await tenancy.administration.changeSettings(OWNER, 'ws_prod', 'APP2', { signatureEnabled: false });
      expect((await authenticator.mssPrivateCloud(unsigned, 'ws_prod_APP2')).accessKeyId).toBeNull();
    });
  });

  describe('REST v1 face', () => {
    it('refuses a key naming another app with the code the route chose', async () => {
      const request = signed('POST', '/v1/push/simple', '{}');
      await expect(authenticator.restV1(request, { appId: 'APP2', workspaceId: 'ws_prod' }, 'APPID_WRONG')).rejects.toMatchObject({ code: 'APPID_WRONG' });
    });

    it('refuses every request of a disabled app, at once on the node that disabled it', async () => {
      expect((await authenticator.restV1(signed('GET', '/v1/status', ''), {}, 'APPID_WRONG')).accessKeyId).toBe(key.id);
      await tenancy.administration.setStatus(OWNER, 'ws_prod', 'APP1', 'disabled');
      await expect(authenticator.restV1(signed('GET', '/v1/status', ''), {}, 'APPID_WRONG')).rejects.toMatchObject({ code: 'APP_DISABLED', kind: 'forbidden' });
    });

    it('refuses a revoked key on every node: the others forget their cached key when the bus tells them', async () => {
      const other = await node();
      expect((await other.authenticator.restV1(signed('GET', '/v1/status', ''), {}, 'APPID_WRONG')).accessKeyId).toBe(key.id);
      await tenancy.administration.revokeAccessKey(OWNER, 'ws_prod', 'APP1', key.id);
      await expect(authenticator.restV1(signed('GET', '/v1/status', ''), {}, 'APPID_WRONG')).rejects.toMatchObject({ code: 'UNKNOWN_ACCESS_KEY' });
      await eventually(() => expect(other.authenticator.restV1(signed('GET', '/v1/status', ''), {}, 'APPID_WRONG')).rejects.toMatchObject({ code: 'UNKNOWN_ACCESS_KEY' }), 1000);
    });
  });
});

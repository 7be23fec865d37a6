import { createPrivateKey, createPublicKey } from 'node:crypto';
import { SqliteStore } from '@pushsync/platform';
import { AccessKeyRepository } from '../keys/access-key.repository';
import { AdminKeyRepository } from '../admin/admin-key.repository';
import type { Operator } from '../admin/operator';
import { TenantAdministration } from '../admin/tenant-administration';
import { OperationRecordRepository } from '../operations/operation-record.repository';
import { AppNotFoundError } from '../tenancy.errors';
import { newPlatformKeyPair, signWithPlatformKey, verifyPlatformSignature } from './platform-key';
import { PlatformKeys } from './platform-keys';
import type { TenantApp } from './tenant-app';
import { TenantAppRepository } from './tenant-app.repository';

const OWNER: Operator = { id: 'owner1', role: 'owner', apps: [] };
const VIEWER: Operator = { id: 'viewer1', role: 'viewer', apps: ['ws1_app1'] };

/** An app stored before platform keys and the validation URL existed. */
function legacyApp(appId: string): TenantApp {
  return { _id: `ws1_${appId}`, appId, workspaceId: 'ws1', name: appId, status: 'active', apiEnabled: true, signatureEnabled: true, clientKey: 'k', rsaPublicKey: null, timeZone: '+08:00', retentionDays: 30, createdAt: 0, updatedAt: 0 };
}

describe('platform keys', () => {
  let store: SqliteStore;
  let apps: TenantAppRepository;
  let operations: OperationRecordRepository;
  let administration: TenantAdministration;
  let now: number;

  beforeEach(async () => {
    store = new SqliteStore(':memory:');
    now = 5;
    apps = await TenantAppRepository.open(store);
    operations = await OperationRecordRepository.open(store);
    administration = new TenantAdministration(apps, await AccessKeyRepository.open(store), await AdminKeyRepository.open(store), operations, new PlatformKeys(apps, () => now), () => now);
  });

  afterEach(() => store.close());

  it('signs SHA256withRSA in URL-safe base64 without padding, verifiable with the public key', async () => {
    const platformKey = await newPlatformKeyPair(1);
    expect(createPrivateKey(platformKey.privateKeyPem).asymmetricKeyDetails).toMatchObject({ modulusLength: 2048 });
    expect(platformKey.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(createPublicKey(platformKey.publicKeyPem).asymmetricKeyType).toBe('rsa');
    expect(platformKey.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);

    const signature = signWithPlatformKey({ platformKey }, Buffer.from('{"a":1}'));
    expect(signature).toMatch(/^[A-Za-z0-9_-]{342}$/);
    expect(verifyPlatformSignature(platformKey.publicKeyPem, '{"a":1}', signature)).toBe(true);
    expect(verifyPlatformSignature(platformKey.publicKeyPem, '{"a":2}', signature)).toBe(false);
    expect(verifyPlatformSignature((await newPlatformKeyPair(1)).publicKeyPem, '{"a":1}', signature)).toBe(false);
  });

  it('creates a key with every new app', async () => {
    const app = await administration.createApp(OWNER, { appId: 'app1', workspaceId: 'ws1' });
    const stored = await apps.find('ws1', 'app1');
    expect(stored?.platformKey).toEqual(app.platformKey);
    expect(stored?.platformKey?.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(await administration.platformPublicKey(VIEWER, 'ws1', 'app1')).toBe(stored?.platformKey?.publicKeyPem);
  });

  it('gives an older app exactly one key when replicas race on its first use', async () => {
    await apps.insert(legacyApp('app1'));
    const replicas = Array.from({ length: 10 }, () => new PlatformKeys(apps, () => 7));
    const keys = await Promise.all(replicas.map((replica) => replica.keyOf(legacyApp('app1'))));
    const stored = (await apps.find('ws1', 'app1'))?.platformKey;
    expect(stored?.createdAt).toBe(7);
    expect(new Set(keys.map((key) => key.privateKeyPem))).toEqual(new Set([stored?.privateKeyPem]));
  });

  it('generates once for concurrent first uses within one process', async () => {
    await apps.insert(legacyApp('app1'));
    const platformKeys = new PlatformKeys(apps, () => 7);
    const setIfAbsent = jest.spyOn(apps, 'setPlatformKeyIfAbsent');
    const keys = await Promise.all(Array.from({ length: 10 }, () => platformKeys.publicKeyOf(legacyApp('app1'))));
    expect(new Set(keys).size).toBe(1);
    expect(setIfAbsent).toHaveBeenCalledTimes(1);
    expect(await platformKeys.publicKeyOf(legacyApp('app1'))).toBe(keys[0]);
  });

  it('uses the key the app record already carries', async () => {
    const platformKey = await newPlatformKeyPair(3);
    const find = jest.spyOn(apps, 'find');
    const signer = await new PlatformKeys(apps, () => 7).signerFor({ ...legacyApp('app1'), platformKey });
    expect(find).not.toHaveBeenCalled();
    expect(verifyPlatformSignature(platformKey.publicKeyPem, 'body', signer.sign('body'))).toBe(true);
  });

  it('refuses an unknown app', async () => {
    await expect(new PlatformKeys(apps, () => 7).keyOf(legacyApp('missing'))).rejects.toBeInstanceOf(AppNotFoundError);
  });

  it('changes the validation URL with an operation record, treating an older app without one as null', async () => {
    await apps.insert(legacyApp('app1'));
    await administration.changeSettings(OWNER, 'ws1', 'app1', { syncValidationUrl: null });
    expect(await operations.query({ from: 0, to: 10, limit: 10 })).toEqual([]);

    const changed = await administration.changeSettings(OWNER, 'ws1', 'app1', { syncValidationUrl: 'https://tenant.example/validate?x=1' });
    expect(changed.syncValidationUrl).toBe('https://tenant.example/validate?x=1');
    now += 1;
    await administration.changeSettings(OWNER, 'ws1', 'app1', { syncValidationUrl: null });
    const records = await operations.query({ from: 0, to: 10, limit: 10 });
    expect(records.map((record) => [record.action, record.details])).toEqual([
      ['APP_SETTINGS_CHANGE', { syncValidationUrl: { from: 'https://tenant.example/validate?x=1', to: null } }],
      ['APP_SETTINGS_CHANGE', { syncValidationUrl: { from: null, to: 'https://tenant.example/validate?x=1' } }],
    ]);
  });
});

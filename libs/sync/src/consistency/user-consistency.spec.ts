import { SqliteStore } from '@pushsync/platform';
import { newPlatformKeyPair, PlatformKeys, TenantAppRepository, verifyPlatformSignature, type PlatformKeyPair, type TenantApp } from '@pushsync/tenancy';
import { ConsistencyRecordRepository } from './consistency-records';
import { ConsistencyValidator, type ValidationFetch } from './consistency-validator';
import { CONSISTENCY_VALID_TTL_MS, UserConsistency } from './user-consistency';

const URL_OF_TENANT = 'https://tenant.example/validate';
const DEVICE = 'device-token-1';

interface TenantCall {
  url: string;
  body: { operationType: string; instanceId: string; userId: string; sessionId: string };
}

const answer = (valid: boolean) => new Response(JSON.stringify({ resultCode: 'OK', success: true, result: { valid } }), { status: 200 });

describe('UserConsistency', () => {
  let store: SqliteStore;
  let apps: TenantAppRepository;
  let records: ConsistencyRecordRepository;
  let consistency: UserConsistency;
  let platformKey: PlatformKeyPair;
  let now: number;
  let calls: TenantCall[];
  /** What the fake tenant answers; by default sessions starting with "good" are valid. */
  let respond: (call: TenantCall) => Promise<Response>;

  const app = (changes: Partial<TenantApp> = {}): TenantApp => ({
    _id: 'ws1_app1', appId: 'app1', workspaceId: 'ws1', name: 'app1', status: 'active', apiEnabled: true, signatureEnabled: true, clientKey: 'k', rsaPublicKey: null,
    timeZone: '+08:00', retentionDays: 30, syncValidationUrl: URL_OF_TENANT, platformKey, createdAt: 0, updatedAt: 0, ...changes,
  });

  beforeAll(async () => {
    platformKey = await newPlatformKeyPair(0);
  });

  beforeEach(async () => {
    store = new SqliteStore(':memory:');
    now = 1_700_000_000_000;
    calls = [];
    respond = async (call) => answer(call.body.sessionId.startsWith('good'));
    apps = await TenantAppRepository.open(store);
    records = await ConsistencyRecordRepository.open(store);
    const fetch: ValidationFetch = async (input, init) => {
      const call = { url: String(input), body: JSON.parse(String(init?.body)) as TenantCall['body'] };
      calls.push(call);
      return respond(call);
    };
    consistency = new UserConsistency(records, new ConsistencyValidator({ fetch }), new PlatformKeys(apps, () => now), { now: () => now });
  });

  afterEach(() => store.close());

  describe('onBind', () => {
    it('validates with a signed call and records the outcome for the device', async () => {
      const record = await consistency.onBind(app(), DEVICE, 'u1', 'good-1');
      expect(record).toEqual({ _id: `ws1_app1|${DEVICE}`, appId: 'app1', workspaceId: 'ws1', deviceToken: DEVICE, userId: 'u1', sessionId: 'good-1', outcome: 'valid', reason: 'valid', checkedAt: now });
      expect(await records.find('ws1_app1', DEVICE)).toEqual(record);
      expect(calls[0].body).toEqual({ operationType: 'com.antcloud.session.validate', instanceId: 'ws1_app1', userId: 'u1', sessionId: 'good-1' });
      const sign = new URL(calls[0].url).searchParams.get('sign')!;
      expect(verifyPlatformSignature(platformKey.publicKeyPem, JSON.stringify(calls[0].body), sign)).toBe(true);
    });

    it('re-validates on every bind, even when a fresh valid result exists', async () => {
      await consistency.onBind(app(), DEVICE, 'u1', 'good-1');
      respond = async () => answer(false);
      expect((await consistency.onBind(app(), DEVICE, 'u1', 'good-1')).outcome).toBe('invalid');
      expect(calls).toHaveLength(2);
    });

    it('records an error without calling anyone when the app has no validation URL', async () => {
      for (const syncValidationUrl of [null, undefined]) {
        const record = await consistency.onBind(app({ syncValidationUrl, platformKey: undefined }), DEVICE, 'u1', 'good-1');
        expect([record.outcome, record.reason]).toEqual(['error', 'no validation URL configured']);
      }
      expect(calls).toHaveLength(0);
    });

    it('signs with a key created on first use for an app that predates platform keys', async () => {
      const legacy = app({ platformKey: undefined });
      await apps.insert(legacy);
      expect((await consistency.onBind(legacy, DEVICE, 'u1', 'good-1')).outcome).toBe('valid');
      const created = (await apps.find('ws1', 'app1'))!.platformKey!;
      expect(verifyPlatformSignature(created.publicKeyPem, JSON.stringify(calls[0].body), new URL(calls[0].url).searchParams.get('sign')!)).toBe(true);
    });

    it('keeps the result of the later bind when an earlier call answers last', async () => {
      let releaseFirst!: () => void;
      respond = (call) => (call.body.userId === 'u1' ? new Promise((resolve) => (releaseFirst = () => resolve(answer(true)))) : Promise.resolve(answer(false)));
      const first = consistency.onBind(app(), DEVICE, 'u1', 'good-1');
      now += 1;
      const second = await consistency.onBind(app(), DEVICE, 'u2', 'bad-2');
      releaseFirst();
      expect((await first).userId).toBe('u2');
      expect(await records.find('ws1_app1', DEVICE)).toEqual(second);
    });
  });

  describe('onConnect', () => {
    it('validates when the device has no record', async () => {
      expect((await consistency.onConnect(app(), DEVICE, 'u1', 'good-1')).outcome).toBe('valid');
      expect(calls).toHaveLength(1);
    });

    it('trusts a valid result for 24 h, then re-validates', async () => {
      await consistency.onBind(app(), DEVICE, 'u1', 'good-1');
      now += CONSISTENCY_VALID_TTL_MS - 1;
      await consistency.onConnect(app(), DEVICE, 'u1', 'good-1');
      expect(calls).toHaveLength(1);
      now += 1;
      expect((await consistency.onConnect(app(), DEVICE, 'u1', 'good-1')).checkedAt).toBe(now);
      expect(calls).toHaveLength(2);
    });

    it("keeps the tenant's invalid answer until the next bind", async () => {
      await consistency.onBind(app(), DEVICE, 'u1', 'bad-1');
      now += 2 * CONSISTENCY_VALID_TTL_MS;
      expect((await consistency.onConnect(app(), DEVICE, 'u1', 'bad-1')).outcome).toBe('invalid');
      expect(calls).toHaveLength(1);
    });

    it('retries an error', async () => {
      respond = async () => new Response('', { status: 503 });
      expect((await consistency.onBind(app(), DEVICE, 'u1', 'good-1')).outcome).toBe('error');
      respond = async () => answer(true);
      expect((await consistency.onConnect(app(), DEVICE, 'u1', 'good-1')).outcome).toBe('valid');
      expect(calls).toHaveLength(2);
    });

    it('validates when the device reports another user or session than the record', async () => {
      await consistency.onBind(app(), DEVICE, 'u1', 'bad-1');
      expect((await consistency.onConnect(app(), DEVICE, 'u1', 'good-2')).outcome).toBe('valid');
      expect((await consistency.onConnect(app(), DEVICE, 'u2', 'good-2')).userId).toBe('u2');
      expect(calls).toHaveLength(3);
    });
  });

  describe('gate', () => {
    it('passes a fresh valid result for the same user (and session, when given)', async () => {
      await consistency.onBind(app(), DEVICE, 'u1', 'good-1');
      expect(await consistency.gate(app(), DEVICE, 'u1')).toBe(true);
      expect(await consistency.gate(app(), DEVICE, 'u1', 'good-1')).toBe(true);
      expect(await consistency.gate(app(), DEVICE, 'u1', 'good-2')).toBe(false);
      expect(await consistency.gate(app(), DEVICE, 'u2')).toBe(false);
      expect(await consistency.gate(app(), 'other-device', 'u1')).toBe(false);
      expect(await consistency.gate(app({ _id: 'ws1_app2', appId: 'app2' }), DEVICE, 'u1')).toBe(false);
    });

    it('withholds after 24 h until re-validated', async () => {
      await consistency.onBind(app(), DEVICE, 'u1', 'good-1');
      now += CONSISTENCY_VALID_TTL_MS;
      expect(await consistency.gate(app(), DEVICE, 'u1')).toBe(false);
      await consistency.onConnect(app(), DEVICE, 'u1', 'good-1');
      expect(await consistency.gate(app(), DEVICE, 'u1')).toBe(true);
    });

    it('withholds invalid, failed and never validated devices', async () => {
      expect(await consistency.gate(app(), DEVICE, 'u1')).toBe(false);
      await consistency.onBind(app(), DEVICE, 'u1', 'bad-1');
      expect(await consistency.gate(app(), DEVICE, 'u1')).toBe(false);
      respond = async () => {
        throw new TypeError('fetch failed');
      };
      await consistency.onBind(app(), DEVICE, 'u1', 'good-1');
      expect(await consistency.gate(app(), DEVICE, 'u1')).toBe(false);
      await consistency.onBind(app({ syncValidationUrl: null }), DEVICE, 'u1', 'good-1');
      expect(await consistency.gate(app(), DEVICE, 'u1')).toBe(false);
    });
  });
});

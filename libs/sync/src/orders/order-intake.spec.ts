import { DependencyUnavailableError, SqliteStore, type BatchingProducer, type StreamMessage } from '@pushsync/platform';
import { OperationRecordRepository, TenantAppRepository, type TenantApp } from '@pushsync/tenancy';
import { SyncConfigRepository } from '../configs/sync-config.repository';
import { SyncConfigs } from '../configs/sync-configs';
import { ConfigDirectory } from '../delivery/config-directory';
import type { ConnectedDevices } from '../delivery/connected-devices';
import { decodeOrderRecord } from '../sequencer';
import { OrderIntake, type TenantAppRef } from './order-intake';
import { SyncOrderRepository } from './sync-order.repository';

const APP: TenantAppRef = { workspaceId: 'ws1', appId: 'app1', instanceId: 'ws1_app1', retentionDays: 30 };
const TENANT = { id: 'tenant', fromConsole: false };
const T0 = 1_700_000_000_000;

describe('OrderIntake', () => {
  let store: SqliteStore;
  let orders: SyncOrderRepository;
  let intake: OrderIntake;
  let produced: string[];
  let produceFails: boolean;

  const order = (thirdMsgId: string) => ({ bizType: 'LOCK', linkToken: 'device-1', thirdMsgId, payload: `p-${thirdMsgId}` });
  const stored = async () => (await orders.stale(T0 + 1, T0 + 1, 100)).map((o) => o.thirdMsgId);

  beforeEach(async () => {
    store = new SqliteStore(':memory:');
    const apps = await TenantAppRepository.open(store);
    await apps.insert({ _id: APP.instanceId, workspaceId: APP.workspaceId, appId: APP.appId, name: 'a', status: 'active', apiEnabled: true, signatureEnabled: true, clientKey: 'k', rsaPublicKey: null, timeZone: '+08:00', retentionDays: 30, createdAt: 0, updatedAt: 0 } satisfies TenantApp);
    const operations = await OperationRecordRepository.open(store);
    const configRepository = await SyncConfigRepository.open(store);
    await new SyncConfigs(configRepository, apps, operations, () => T0).create(APP, 'op', { bizType: 'LOCK', description: 'locks', pushRange: 'SPECIFY', pushObject: 'DEVICE', persistent: true });
    orders = await SyncOrderRepository.open(store);
    produced = [];
    produceFails = false;
    const producer = {
      send: async (_topic: string, message: StreamMessage) => {
        if (produceFails) throw new Error('broker down');
        produced.push(decodeOrderRecord(message.value)!._id);
        return { partition: 0, offset: produced.length - 1 };
      },
    } as unknown as BatchingProducer;
    const connected: ConnectedDevices = { get: async () => null, entriesOfUser: async () => [], devicesOfApp: async () => [] };
    intake = new OrderIntake(orders, new ConfigDirectory(configRepository, { now: () => T0 }, 5000), connected, producer, operations, { now: () => T0 });
  });

  afterEach(() => store.close());

  it('answers SUCCESS once the order is stored and queued for sequencing', async () => {
    expect(await intake.accept(APP, 'SINGLE', order('a'), TENANT)).toBe('SUCCESS');
    expect(produced).toHaveLength(1);
    expect(await stored()).toEqual(['a']);
  });

  it('refuses with a dependency error when the order cannot be queued, and keeps it stored for the relay', async () => {
    produceFails = true;
    const refusal = await intake.accept(APP, 'SINGLE', order('a'), TENANT).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(DependencyUnavailableError);
    expect((refusal as Error).message).toMatch(/order a is stored but could not be queued.*broker down.*same thirdMsgId/);
    expect(await stored()).toEqual(['a']);
  });

  it('queues a stored but unsequenced order again before answering its retry DUPLICATED_BIZ_ID, so it stays ahead of the next order', async () => {
    produceFails = true;
    await intake.accept(APP, 'SINGLE', order('a'), TENANT).catch(() => undefined);
    produceFails = false;
    expect(await intake.accept(APP, 'SINGLE', order('a'), TENANT)).toBe('DUPLICATED_BIZ_ID');
    expect(await intake.accept(APP, 'SINGLE', order('b'), TENANT)).toBe('SUCCESS');
    expect(produced).toHaveLength(2);
    const [first, second] = await Promise.all(produced.map((id) => orders.find(id)));
    expect([first?.thirdMsgId, second?.thirdMsgId]).toEqual(['a', 'b']);
  });

  it('does not queue a sequenced order again on a repeated thirdMsgId', async () => {
    expect(await intake.accept(APP, 'SINGLE', order('a'), TENANT)).toBe('SUCCESS');
    await orders.markSequenced(produced[0]!, 1);
    expect(await intake.accept(APP, 'SINGLE', order('a'), TENANT)).toBe('DUPLICATED_BIZ_ID');
    expect(produced).toHaveLength(1);
  });
});

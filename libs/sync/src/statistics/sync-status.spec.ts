import { SqliteStore } from '@pushsync/platform';
import { USER_POINT_HOLDER, channelId, type ChannelRef } from '../channel';
import type { SyncConfig } from '../configs/sync-config';
import type { ConnectedDevices, ConnectedEntry } from '../delivery/connected-devices';
import { DeliveryRepository, type BatchStatus } from '../delivery/delivery.repository';
import { SyncPointRepository } from '../delivery/sync-point.repository';
import { NO_FILTERS, type OrderFilters } from '../filters/delivery-filter';
import type { Oplog } from '../oplogs/oplog';
import { OplogRepository } from '../oplogs/oplog.repository';
import { SyncStatusQuery, type PushListEntry } from './sync-status';

const INSTANCE = 'ws_app';
const DAY_MS = 86_400_000;
const NOW = 1000 * DAY_MS;

function config(bizType: string, fields: Partial<SyncConfig>): SyncConfig {
  return {
    _id: bizType,
    appId: 'app',
    workspaceId: 'ws',
    bizType,
    description: '',
    pushRange: 'SPECIFY',
    pushObject: 'DEVICE',
    multiDevice: null,
    persistent: true,
    repushMode: 'THRESHOLD',
    threshold: 2,
    userConsistency: null,
    status: 'ONLINE',
    createdAt: 0,
    updatedAt: 0,
    operator: 'op',
    ...fields,
  };
}

const CONFIGS = [
  config('DEV', {}),
  config('MULTI', { pushObject: 'USER', multiDevice: true, userConsistency: false }),
  config('SINGLE', { pushObject: 'USER', multiDevice: false, userConsistency: false }),
];

function entry(fields: Partial<ConnectedEntry> = {}): ConnectedEntry {
  return { node: 'n1', connectionId: 'c1', platform: 'ANDROID', appVersion: '1.0.0', userId: null, since: NOW - 1000, ...fields };
}

describe('the console status query', () => {
  let store: SqliteStore;
  let oplogs: OplogRepository;
  let deliveries: DeliveryRepository;
  let points: SyncPointRepository;
  let presence: Map<string, ConnectedEntry>;
  let query: SyncStatusQuery;

  const connected: ConnectedDevices = {
    get: (_instanceId, token) => Promise.resolve(presence.get(token) ?? null),
    entriesOfUser: (_instanceId, userId) => Promise.resolve([...presence].filter(([, e]) => e.userId === userId).map(([token, e]) => ({ token, entry: e }))),
    devicesOfApp: () => Promise.resolve([...presence.keys()]),
  };

  const channel = (bizType: string, key: string): ChannelRef => ({ instanceId: INSTANCE, bizType, key });
  const addOplog = (ref: ChannelRef, id: number, fields: { validTimeEnd?: number; filters?: Partial<OrderFilters> } = {}) =>
    oplogs.insert({
      _id: OplogRepository.oplogDocumentId(ref, id),
      instanceId: INSTANCE,
      appId: 'app',
      workspaceId: 'ws',
      bizType: ref.bizType,
      key: ref.key,
      id,
      orderId: `${channelId(ref)}/${id}`,
      thirdMsgId: `t${ref.bizType}${id}`,
      payload: 'p',
      binary: false,
      filters: { ...NO_FILTERS, ...fields.filters },
      validTimeEnd: fields.validTimeEnd ?? null,
      persistent: true,
      pushObject: 'DEVICE',
      multiDevice: false,
      targets: null,
      createdAt: NOW - 10 * DAY_MS + id,
      expireAt: NOW + DAY_MS,
    } as Oplog);
  const addBatch = (ref: ChannelRef, token: string, userId: string | null, ids: number[], status: BatchStatus, sentAt: number) =>
    deliveries.insert({
      _id: DeliveryRepository.batchId(ref, token, ids[0]!),
      instanceId: INSTANCE,
      token,
      userId,
      bizType: ref.bizType,
      key: ref.key,
      firstId: ids[0]!,
      lastId: ids.at(-1)!,
      ids,
      attempts: 1,
      status,
      firstSentAt: sentAt,
      lastSentAt: sentAt,
    });
  const rows = (list: PushListEntry[]) => list.map((row) => [row.bizType, row.oplogId, row.status, row.device]);

  beforeEach(async () => {
    store = new SqliteStore(':memory:');
    oplogs = await OplogRepository.open(store);
    deliveries = await DeliveryRepository.open(store);
    points = await SyncPointRepository.open(store);
    presence = new Map();
    query = new SyncStatusQuery(deliveries, oplogs, points, connected, { now: () => NOW });
  });

  afterEach(() => store.close());

  it('counts distinct oplogs sent and acked in 30 days, and derives TRIMMED, EXPIRED and owed data for a device', async () => {
    presence.set('tok1', entry());
    const dev = channel('DEV', 'tok1');
    for (const id of [1, 2, 5, 6]) await addOplog(dev, id);
    await addOplog(dev, 3, { filters: { platforms: ['IOS'] } });
    await addOplog(dev, 4, { validTimeEnd: NOW - 1 });
    await addOplog(dev, 7, { validTimeEnd: NOW - 1 });
    await addOplog(dev, 8);
    await addBatch(dev, 'tok1', null, [5, 6], 'ACKED', NOW - 2 * DAY_MS);
    await addBatch(dev, 'tok1', null, [7], 'PENDING', NOW - DAY_MS);
    await addBatch(dev, 'tok1', null, [9], 'DROPPED', NOW - 40 * DAY_MS);
    await points.raise(dev, 'tok1', 6, NOW);

    const status = await query.query({ instanceId: INSTANCE, configs: CONFIGS }, 'DEVICE', 'tok1');

    expect(status).toMatchObject({ target: { type: 'DEVICE', id: 'tok1' }, connected: true, connectedDevices: ['tok1'], pushes: 3, arrivals: 2 });
    expect(rows(status.pushList)).toEqual([
      ['DEV', 7, 'EXPIRED', 'tok1'],
      ['DEV', 6, 'ACKED', 'tok1'],
      ['DEV', 5, 'ACKED', 'tok1'],
      ['DEV', 8, 'PENDING', 'tok1'],
      ['DEV', 4, 'EXPIRED', 'tok1'],
      ['DEV', 2, 'TRIMMED', 'tok1'],
      ['DEV', 1, 'TRIMMED', 'tok1'],
    ]);
    expect(status.pushList[1]).toMatchObject({ thirdMsgId: 'tDEV6', sentAt: NOW - 2 * DAY_MS });
    expect(status.pushList[3]).toMatchObject({ sentAt: null });
  });

  it('counts an oplog sent to two devices of a user once, and shows single-device data the user passed over', async () => {
    presence.set('d1', entry({ userId: 'u1' }));
    const multi = channel('MULTI', 'u1');
    const single = channel('SINGLE', 'u1');
    await addOplog(multi, 1);
    await addOplog(single, 1);
    await addOplog(single, 2);
    await addBatch(multi, 'd1', 'u1', [1], 'ACKED', NOW - 3000);
    await addBatch(multi, 'd2', 'u1', [1], 'PENDING', NOW - 2000);
    await addBatch(single, 'd2', 'u1', [2], 'ACKED', NOW - 1000);
    await points.raise(single, USER_POINT_HOLDER, 2, NOW);

    const status = await query.query({ instanceId: INSTANCE, configs: CONFIGS }, 'USER', 'u1');

    expect(status).toMatchObject({ connected: true, connectedDevices: ['d1'], pushes: 2, arrivals: 2 });
    expect(rows(status.pushList)).toEqual([
      ['SINGLE', 2, 'ACKED', 'd2'],
      ['MULTI', 1, 'PENDING', 'd2'],
      ['MULTI', 1, 'ACKED', 'd1'],
      ['SINGLE', 1, 'TRIMMED', null],
    ]);
  });

  it('answers an unknown device with nothing sent and not connected', async () => {
    const status = await query.query({ instanceId: INSTANCE, configs: [] }, 'DEVICE', 'nobody');
    expect(status).toEqual({ target: { type: 'DEVICE', id: 'nobody' }, connected: false, connectedDevices: [], pushes: 0, arrivals: 0, pushList: [] });
  });
});

import { SqliteStore } from '@pushsync/platform';
import type { ChannelRef } from '../channel';
import type { Oplog } from './oplog';
import { OPLOG_PAGE_SIZE, OplogRepository } from './oplog.repository';

const CHANNEL: ChannelRef = { instanceId: 'ws_APP', bizType: 'LOCK', key: 'device-1' };
const OTHER: ChannelRef = { instanceId: 'ws_APP', bizType: 'LOCK', key: 'device-2' };

function oplogOf(channel: ChannelRef, id: number): Oplog {
  return {
    _id: OplogRepository.oplogDocumentId(channel, id),
    ...channel,
    appId: 'APP',
    workspaceId: 'ws',
    id,
    orderId: `${channel.key}/${id}`,
    thirdMsgId: String(id),
    payload: `p${id}`,
    binary: false,
    filters: { platforms: null, appMinVersion: null, appMaxVersion: null, uidSegments: null },
    validTimeEnd: null,
    persistent: true,
    pushObject: 'DEVICE',
    multiDevice: true,
    targets: null,
    createdAt: 0,
    expireAt: Number.MAX_SAFE_INTEGER,
  };
}

describe('OplogRepository reads page by page', () => {
  let store: SqliteStore;
  let oplogs: OplogRepository;
  const idsOf = (found: Oplog[]) => found.map((oplog) => oplog.id);
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

  /** Stores these ids of the channel (and the other channel's, which no read may return). */
  const storeIds = async (ids: number[]) => {
    await Promise.all(ids.flatMap((id) => [oplogs.insert(oplogOf(CHANNEL, id)), oplogs.insert(oplogOf(OTHER, id))]));
    await oplogs.recordLastId(CHANNEL, Math.max(...ids));
    await oplogs.recordLastId(OTHER, Math.max(...ids));
  };

  beforeEach(async () => {
    store = new SqliteStore(':memory:');
    oplogs = await OplogRepository.open(store);
  });

  afterEach(() => store.close());

  it('reads forward across page boundaries, from any id, up to the limit', async () => {
    await storeIds(range(1, 3 * OPLOG_PAGE_SIZE + 5));
    expect(idsOf(await oplogs.after(CHANNEL, 0, 250))).toEqual(range(1, 250));
    expect(idsOf(await oplogs.after(CHANNEL, 95, 10))).toEqual(range(96, 105));
    expect(idsOf(await oplogs.after(CHANNEL, 290, 1000))).toEqual(range(291, 305));
    expect(await oplogs.after(CHANNEL, 305, 10)).toEqual([]);
  });

  it('reads the newest first below a bound, and whole ranges', async () => {
    await storeIds(range(1, 250));
    expect(idsOf(await oplogs.newestBetween(CHANNEL, 0, Number.MAX_SAFE_INTEGER, 3))).toEqual([250, 249, 248]);
    expect(idsOf(await oplogs.newestBetween(CHANNEL, 97, 103, 100))).toEqual([102, 101, 100, 99, 98]);
    expect(idsOf(await oplogs.inRange(CHANNEL, 199, 201))).toEqual([199, 200, 201]);
    expect(idsOf(await oplogs.ofIds(CHANNEL, [250, 3, 120, 999]))).toEqual([3, 120, 250]);
  });

  it('reads past holes, and past a long expired head in one query', async () => {
    const head = 15 * OPLOG_PAGE_SIZE;
    await storeIds([...range(head + 1, head + 50), ...range(head + 3 * OPLOG_PAGE_SIZE, head + 3 * OPLOG_PAGE_SIZE + 9)]);
    expect(idsOf(await oplogs.after(CHANNEL, 0, 1000))).toEqual([...range(head + 1, head + 50), ...range(head + 3 * OPLOG_PAGE_SIZE, head + 3 * OPLOG_PAGE_SIZE + 9)]);
    expect(idsOf(await oplogs.after(CHANNEL, head + 40, 15))).toEqual([...range(head + 41, head + 50), ...range(head + 3 * OPLOG_PAGE_SIZE, head + 3 * OPLOG_PAGE_SIZE + 4)]);
    expect(idsOf(await oplogs.newestBetween(CHANNEL, 0, head + 2, 10))).toEqual([head + 1]);
  });

  it('finds oplogs claimed beyond the recorded counter (a crash before it was written)', async () => {
    await storeIds(range(1, 10));
    await oplogs.insert(oplogOf(CHANNEL, 11));
    expect(idsOf(await oplogs.after(CHANNEL, 9, 10))).toEqual([10, 11]);
  });
});

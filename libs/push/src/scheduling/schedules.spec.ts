import { SqliteStore } from '@pushsync/platform';
import { ScheduleRepository } from './schedule.repository';
import { formatCancelResult, Schedules, type NewSchedule } from './schedules';
import type { PushStrategy } from './strategy';

const APP = { workspaceId: 'ws1', appId: 'app1' };
const OTHER_APP = { workspaceId: 'ws1', appId: 'app2' };
const at = (iso: string): number => Date.parse(iso);
const NOW = at('2024-03-04T10:00:00+08:00');
const DAY = 86_400_000;
const REQUEST = { rendered: { title: 'Sale', content: 'Today only' } };

/** 10:30 on 2024-03-04, 03-05 and 03-06 at +08:00. */
const DAILY: PushStrategy = { type: 'CYCLIC', startDay: '2024-03-04', endDay: '2024-03-06', circleType: 'DAILY', circleValue: [], time: '10:30:00' };

function schedule(changes: Partial<NewSchedule<typeof REQUEST>> = {}): NewSchedule<typeof REQUEST> {
  return {
    ...APP,
    type: 'SIMPLE',
    deliveryType: 3,
    strategy: { type: 'TIMED', fixedTime: NOW + 3_600_000 },
    timeZone: '+08:00',
    expiredSeconds: 300,
    request: REQUEST,
    pushTitle: 'Sale',
    pushContent: 'Today only',
    createType: 0,
    ...changes,
  };
}

describe('formatCancelResult', () => {
  it('writes the ResultContent of CancelPushScheduler', () => {
    expect(
      formatCancelResult(
        new Map([
          ['714613eb', 1],
          ['714613ed', 0],
        ]),
      ),
    ).toBe('{714613eb=1,714613ed=0}');
    expect(formatCancelResult(new Map())).toBe('{}');
  });
});

describe('Schedules', () => {
  let store: SqliteStore;
  let schedules: Schedules<typeof REQUEST>;
  let now: number;
  const window = { startTime: NOW, endTime: NOW + 3 * DAY };

  beforeEach(async () => {
    store = new SqliteStore(':memory:');
    now = NOW;
    schedules = new Schedules(await ScheduleRepository.open<typeof REQUEST>(store), { now: () => now });
  });

  afterEach(() => store.close());

  it('stores a timed task as one occurrence whose uniqueId is the master id', async () => {
    const master = await schedules.create(schedule());
    expect(master).toMatchObject({ ...APP, strategyType: 1, status: 'active', gmtCreate: NOW, request: REQUEST, expiredSeconds: 300 });
    expect(master._id).toMatch(/^[0-9a-f]{32}$/);
    expect(await schedules.list(APP, window)).toEqual({
      totalCount: 1,
      list: [
        {
          uniqueId: master._id,
          parentId: master._id,
          pushTime: NOW + 3_600_000,
          pushTitle: 'Sale',
          pushContent: 'Today only',
          type: 0,
          deliveryType: 3,
          strategyType: 1,
          executedStatus: 0,
          createType: 0,
          gmtCreate: NOW,
        },
      ],
    });
  });

  it('stores every occurrence of a cyclic task ahead, each with its own id', async () => {
    const master = await schedules.create(schedule({ type: 'BROADCAST', strategy: DAILY, createType: 1 }));
    const { totalCount, list } = await schedules.list(APP, window);
    expect(totalCount).toBe(3);
    expect(list.map((item) => item.pushTime)).toEqual([0, 1, 2].map((days) => at('2024-03-04T10:30:00+08:00') + days * DAY));
    expect(list.every((item) => item.parentId === master._id && item.uniqueId !== master._id && /^[0-9a-f]{32}$/.test(item.uniqueId))).toBe(true);
    expect(list[0]).toMatchObject({ type: 3, strategyType: 2, createType: 1 });
  });

  it('does not store the occurrences of a cycle that have already passed', async () => {
    now = at('2024-03-04T11:00:00+08:00');
    await schedules.create(schedule({ strategy: DAILY }));
    expect((await schedules.list(APP, window)).totalCount).toBe(2);
  });

  describe('list (QueryPushSchedulerList)', () => {
    let timedId: string;
    let cyclicId: string;

    beforeEach(async () => {
      timedId = (await schedules.create(schedule()))._id;
      cyclicId = (await schedules.create(schedule({ type: 'BROADCAST', strategy: DAILY })))._id;
      await schedules.create(schedule({ ...OTHER_APP }));
    });

    it('lists by trigger time, both window ends included, and only the app’s own tasks', async () => {
      const all = await schedules.list(APP, window);
      expect(all.totalCount).toBe(4);
      expect(all.list.map((item) => item.pushTime)).toEqual([...all.list.map((item) => item.pushTime)].sort((a, b) => a - b));
      const secondDay = at('2024-03-05T10:30:00+08:00');
      expect((await schedules.list(APP, { startTime: secondDay, endTime: secondDay })).list.map((item) => item.pushTime)).toEqual([secondDay]);
      expect((await schedules.list(APP, { startTime: NOW - DAY, endTime: NOW - 1 })).totalCount).toBe(0);
    });

    it('filters by push type', async () => {
      expect((await schedules.list(APP, { ...window, type: 3 })).list.map((item) => item.parentId)).toEqual([cyclicId, cyclicId, cyclicId]);
      expect((await schedules.list(APP, { ...window, type: 0 })).list.map((item) => item.uniqueId)).toEqual([timedId]);
      expect((await schedules.list(APP, { ...window, type: 1 })).totalCount).toBe(0);
    });

    it('gives all sub tasks for a master id and one for a sub task id', async () => {
      const ofMaster = await schedules.list(APP, { ...window, uniqueId: cyclicId });
      expect(ofMaster.totalCount).toBe(3);
      const subId = ofMaster.list[1].uniqueId;
      expect((await schedules.list(APP, { ...window, uniqueId: ` ${subId} ` })).list.map((item) => item.uniqueId)).toEqual([subId]);
      expect((await schedules.list(APP, { ...window, uniqueId: timedId })).list.map((item) => item.uniqueId)).toEqual([timedId]);
      expect((await schedules.list(OTHER_APP, { ...window, uniqueId: timedId })).totalCount).toBe(0);
    });

    it('pages with pageNumber and pageSize, counting every match', async () => {
      const all = (await schedules.list(APP, window)).list.map((item) => item.uniqueId);
      const second = await schedules.list(APP, { ...window, pageNumber: 2, pageSize: 3 });
      expect(second).toMatchObject({ totalCount: 4 });
      expect(second.list.map((item) => item.uniqueId)).toEqual(all.slice(3));
    });

    it.each([
      ['no startTime', { endTime: NOW } as never, /startTime is required/],
      ['an end before the start', { startTime: NOW, endTime: NOW - 1 }, /endTime must not be earlier than startTime/],
      ['type 4', { ...window, type: 4 }, /type must be 0/],
      ['pageNumber 0', { ...window, pageNumber: 0 }, /pageNumber must be a positive integer/],
      ['pageSize 501', { ...window, pageSize: 501 }, /pageSize must be from 1 to 500/],
    ])('refuses %s with 3028', async (_case, query, message) => {
      await expect(schedules.list(APP, query)).rejects.toMatchObject({ numericCode: 3028, message: expect.stringMatching(message) });
    });
  });

  describe('cancel (CancelPushScheduler)', () => {
    it('cancels sub tasks by id, trimming spaces, and fails unknown and other apps’ ids', async () => {
      const cyclicId = (await schedules.create(schedule({ strategy: DAILY })))._id;
      const otherId = (await schedules.create(schedule({ ...OTHER_APP })))._id;
      const [first, second] = (await schedules.list(APP, window)).list.map((item) => item.uniqueId);

      const result = await schedules.cancel(APP, 1, ` ${first}, unknown ,${otherId},${second},${first}`);
      expect(formatCancelResult(result)).toBe(`{${first}=1,unknown=0,${otherId}=0,${second}=1}`);
      expect((await schedules.list(APP, { ...window, uniqueId: cyclicId })).list.map((item) => item.uniqueId)).not.toContain(first);
      expect((await schedules.list(OTHER_APP, window)).totalCount).toBe(1);
      expect(formatCancelResult(await schedules.cancel(APP, 1, first))).toBe(`{${first}=0}`);
    });

    it('cancels a master with all its pending sub tasks, once', async () => {
      const cyclicId = (await schedules.create(schedule({ strategy: DAILY })))._id;
      const timedId = (await schedules.create(schedule()))._id;
      expect(formatCancelResult(await schedules.cancel(APP, 0, `${cyclicId},${timedId}`))).toBe(`{${cyclicId}=1,${timedId}=1}`);
      expect((await schedules.list(APP, window)).totalCount).toBe(0);
      expect(formatCancelResult(await schedules.cancel(APP, 0, cyclicId))).toBe(`{${cyclicId}=0}`);
    });

    it('does not take a sub task id for a master id or another app’s master', async () => {
      const cyclicId = (await schedules.create(schedule({ strategy: DAILY })))._id;
      const subId = (await schedules.list(APP, window)).list[0].uniqueId;
      expect(formatCancelResult(await schedules.cancel(APP, 0, subId))).toBe(`{${subId}=0}`);
      expect(formatCancelResult(await schedules.cancel(OTHER_APP, 0, cyclicId))).toBe(`{${cyclicId}=0}`);
      expect((await schedules.list(APP, window)).totalCount).toBe(3);
    });

    it.each([
      ['31 ids', 0, Array.from({ length: 31 }, (_, i) => `id${i}`).join(','), /at most 30 ids/],
      ['no ids', 0, ' , ', /uniqueIds is required/],
      ['type 2', 2, 'a', /type must be 0/],
    ])('refuses %s with 3028', async (_case, type, ids, message) => {
      await expect(schedules.cancel(APP, type, ids)).rejects.toMatchObject({ numericCode: 3028, message: expect.stringMatching(message) });
    });

    it('accepts 30 ids', async () => {
      const result = await schedules.cancel(APP, 0, Array.from({ length: 30 }, (_, i) => `id${i}`).join(','));
      expect(result.size).toBe(30);
    });
  });

  describe('the limit of 100 unfinished master tasks per app', () => {
    it('refuses the 101st with 3028 until one is no longer pending', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 100; i += 1) ids.push((await schedules.create(schedule()))._id);
      await schedules.create(schedule({ ...OTHER_APP }));
      await expect(schedules.create(schedule())).rejects.toMatchObject({ numericCode: 3028, message: expect.stringMatching(/at most 100 unfinished/) });

      await schedules.cancel(APP, 0, ids[0]);
      await schedules.create(schedule());
      await expect(schedules.create(schedule())).rejects.toMatchObject({ numericCode: 3028 });

      // Cancelling its only sub task finishes a master too.
      await schedules.cancel(APP, 1, ids[1]);
      await schedules.create(schedule());
    });
  });
});

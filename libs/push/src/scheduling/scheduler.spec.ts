import { SqliteStore } from '@pushsync/platform';
import pino from 'pino';
import type { ScheduledOccurrence } from './schedule';
import { ScheduleRepository } from './schedule.repository';
import { PushScheduler, type FireOccurrence, type PushSchedulerOptions } from './scheduler';
import { formatCancelResult, Schedules, type NewSchedule } from './schedules';
import type { PushStrategy } from './strategy';

const APP = { workspaceId: 'ws1', appId: 'app1' };
const NOW = Date.parse('2024-03-04T10:00:00+08:00');
const SECOND = 1000;
const LEASE = 60 * SECOND;
const REQUEST = { rendered: 'message' };
const DAILY: PushStrategy = { type: 'CYCLIC', startDay: '2024-03-04', endDay: '2024-03-08', circleType: 'DAILY', circleValue: [], time: '10:00:30' };

type Request = typeof REQUEST;

describe('PushScheduler', () => {
  let store: SqliteStore;
  let repository: ScheduleRepository<Request>;
  let schedules: Schedules<Request>;
  let now: number;
  let fired: string[];
  const clock = { now: () => now };
  const recordFire: FireOccurrence<Request> = async (occurrence) => {
    fired.push(occurrence._id);
    // Let the other replica run between the fire and its recording.
    await new Promise(setImmediate);
  };

  function scheduler(fire: FireOccurrence<Request> = recordFire, options: Partial<PushSchedulerOptions> = {}): PushScheduler<Request> {
    return new PushScheduler(repository, fire, { clock, logger: pino({ level: 'silent' }), leaseMs: LEASE, retryDelayMs: 10 * SECOND, ...options });
  }

  function timedAt(pushTime: number, changes: Partial<NewSchedule<Request>> = {}): Promise<{ _id: string }> {
    return schedules.create({
      ...APP,
      type: 'SIMPLE',
      deliveryType: 3,
      strategy: { type: 'TIMED', fixedTime: pushTime },
      timeZone: '+08:00',
      expiredSeconds: 3600,
      request: REQUEST,
      pushTitle: 't',
      pushContent: 'c',
      createType: 0,
      ...changes,
    });
  }

  async function occurrence(id: string): Promise<ScheduledOccurrence | null> {
    return (await store.collection<ScheduledOccurrence>({ name: 'push_schedule_occurrences' })).findOne({ _id: id });
  }

  async function allOccurrenceIds(): Promise<string[]> {
    return (await schedules.list(APP, { startTime: 0, endTime: Number.MAX_SAFE_INTEGER })).list.map((item) => item.uniqueId);
  }

  beforeEach(async () => {
    store = new SqliteStore(':memory:');
    now = NOW;
    fired = [];
    repository = await ScheduleRepository.open<Request>(store);
    schedules = new Schedules(repository, clock);
  });

  afterEach(() => store.close());

  it('fires each occurrence once when two replicas poll the same store at the same time', async () => {
    for (let i = 0; i < 20; i += 1) await timedAt(NOW + i * SECOND);
    const cyclic = await timedAt(0, { strategy: DAILY, expiredSeconds: 7 * 86_400 });
    const ids = await allOccurrenceIds();
    expect(ids).toHaveLength(25);

    const replicas = [scheduler(), scheduler()];
    for (now = NOW; now <= NOW + 5 * 86_400_000; now += 3_600_000) {
      await Promise.all(replicas.map((replica) => replica.poll()));
    }
    await Promise.all(replicas.map((replica) => replica.drain()));

    expect([...fired].sort()).toEqual([...ids].sort());
    expect((await schedules.list(APP, { startTime: 0, endTime: Number.MAX_SAFE_INTEGER })).list.every((item) => item.executedStatus === 1)).toBe(true);
    expect((await repository.findMaster(cyclic._id))?.status).toBe('finished');
  });

  it('fires nothing before its time', async () => {
    await timedAt(NOW + SECOND);
    await scheduler().poll();
    expect(fired).toEqual([]);
  });

  it('fires again, exactly once more, an occurrence whose claimer died before finishing, only after the lease', async () => {
    const { _id: id } = await timedAt(NOW);
    let startedOnDyingReplica!: () => void;
    const started = new Promise<void>((resolve) => (startedOnDyingReplica = resolve));
    const dying = scheduler(async (occurrence) => {
      fired.push(occurrence._id);
      startedOnDyingReplica();
      await new Promise<never>(() => undefined);
    });
    await dying.poll();
    await started;

    const survivor = scheduler();
    now = NOW + LEASE - 1;
    await survivor.poll();
    await survivor.drain();
    expect(fired).toEqual([id]);

    now = NOW + LEASE;
    await survivor.poll();
    await survivor.drain();
    expect(fired).toEqual([id, id]);

    now += LEASE * 2;
    await survivor.poll();
    await scheduler().poll();
    await survivor.drain();
    expect(fired).toEqual([id, id]);
    expect(await occurrence(id)).toMatchObject({ executedStatus: 1, firedAt: NOW + LEASE });
  });

  it('keeps the lease of a slow fire while its replica polls', async () => {
    const { _id: id } = await timedAt(NOW);
    let finish!: () => void;
    const slow = scheduler(async (occurrence) => {
      fired.push(occurrence._id);
      await new Promise<void>((resolve) => (finish = resolve));
    });
    await slow.poll();
    now = NOW + LEASE - 1;
    await slow.poll();

    now = NOW + LEASE;
    const other = scheduler();
    await other.poll();
    await other.drain();
    expect(fired).toEqual([id]);

    finish();
    await slow.drain();
    expect(await occurrence(id)).toMatchObject({ executedStatus: 1 });
  });

  it('retries a fire that failed after the retry delay', async () => {
    const { _id: id } = await timedAt(NOW);
    let failures = 1;
    const flaky = scheduler(async (occurrence) => {
      fired.push(occurrence._id);
      if (failures-- > 0) throw new Error('intake unavailable');
    });
    await flaky.poll();
    await flaky.drain();
    now = NOW + 10 * SECOND - 1;
    await flaky.poll();
    await flaky.drain();
    expect(fired).toEqual([id]);
    expect(await occurrence(id)).toMatchObject({ executedStatus: 0 });

    now = NOW + 10 * SECOND;
    await flaky.poll();
    await flaky.drain();
    expect(fired).toEqual([id, id]);
    expect(await occurrence(id)).toMatchObject({ executedStatus: 1 });
  });

  it('on recovery fires an occurrence no more than expiredSeconds late and records a later one as missed', async () => {
    const { _id: tooLate } = await timedAt(NOW, { expiredSeconds: 60 });
    const { _id: inTime } = await timedAt(NOW + 10 * SECOND, { expiredSeconds: 60 });
    const { _id: atTheLimit } = await timedAt(NOW + 5 * SECOND, { expiredSeconds: 60 });

    now = NOW + 65 * SECOND;
    const recovered = scheduler();
    await recovered.poll();
    await recovered.drain();

    expect([...fired].sort()).toEqual([inTime, atTheLimit].sort());
    expect(await occurrence(tooLate)).toMatchObject({ missed: true, executedStatus: 0, firedAt: null });
    expect((await repository.findMaster(tooLate))?.status).toBe('finished');
    await recovered.poll();
    await recovered.drain();
    expect(fired).toHaveLength(2);
  });

  it('records as missed an occurrence whose claimer died and whose lease ran out after its expiry', async () => {
    const { _id: id } = await timedAt(NOW, { expiredSeconds: 30 });
    const dying = scheduler(() => new Promise<never>(() => undefined));
    await dying.poll();
    now = NOW + LEASE;
    await scheduler().poll();
    expect(await occurrence(id)).toMatchObject({ missed: true, executedStatus: 0 });
  });

  it('never fires cancelled occurrences, and cannot cancel executed or firing ones', async () => {
    const { _id: cancelled } = await timedAt(NOW);
    const { _id: executed } = await timedAt(NOW);
    await schedules.cancel(APP, 1, cancelled);
    const replica = scheduler();
    await replica.poll();
    await replica.drain();
    expect(fired).toEqual([executed]);
    expect(formatCancelResult(await schedules.cancel(APP, 0, executed))).toBe(`{${executed}=0}`);
    expect(formatCancelResult(await schedules.cancel(APP, 1, executed))).toBe(`{${executed}=0}`);

    const { _id: firing } = await timedAt(NOW);
    await scheduler(() => new Promise<never>(() => undefined)).poll();
    expect(formatCancelResult(await schedules.cancel(APP, 1, firing))).toBe(`{${firing}=0}`);
  });

  it('does not fire an occurrence claimed just before its master was cancelled', async () => {
    const master = await timedAt(NOW, { strategy: DAILY });
    const [first] = await allOccurrenceIds();
    now = Date.parse('2024-03-04T10:00:30+08:00');
    expect(await repository.hold(first, 'replica-that-died', now, now + LEASE)).not.toBeNull();
    await schedules.cancel(APP, 0, master._id);

    now += LEASE;
    const replica = scheduler();
    await replica.poll();
    await replica.drain();
    expect(fired).toEqual([]);
    expect(await occurrence(first)).toMatchObject({ cancelled: true, executedStatus: 0 });
  });

  it('polls on its own once started, until stopped', async () => {
    const { _id: id } = await timedAt(NOW);
    let fire!: (id: string) => void;
    const firedId = new Promise<string>((resolve) => (fire = resolve));
    const running = scheduler(async (occurrence) => fire(occurrence._id), { pollIntervalMs: 10 });
    running.start();
    expect(await firedId).toBe(id);
    await running.stop();
  });
});

import { Inject, Injectable } from '@nestjs/common';
import { CometDelivery, Presence } from '@pushsync/comet';
import { DeviceRepository, type Device } from '@pushsync/devices';
import { BatchingProducer, DependencyUnavailableError, type Bus, type KeyValue, type PlatformLogger, type Store, type Stream, type StreamConsumer } from '@pushsync/platform';
import {
  BroadcastPlanner,
  BroadcastShardRepository,
  BroadcastShardSender,
  encodeRecord,
  ExpirySweep,
  MessageRepository,
  PUSH_BROADCAST_GROUP,
  PUSH_BROADCAST_SHARD_GROUP,
  PUSH_BROADCAST_SHARD_TOPIC,
  PUSH_BROADCAST_TOPIC,
  PUSH_DEVICE_WORK_GROUP,
  PUSH_DEVICE_WORK_TOPIC,
  PUSH_DISPATCH_GROUP,
  PUSH_DISPATCH_TOPIC,
  PUSH_VENDOR_TOPIC,
  PushDeviceWork,
  PushDispatcher,
  PushIntake,
  Revocation,
  TaskRepository,
  allOutcomes,
  type EnabledVendors,
  type PushDeviceEvent,
  ReceiptOutboxRepository,
  ReceiptOutcomes,
  Receipts,
  ReceiptSender,
  ScheduledPushes,
  ScheduleRepository,
  type ScheduledRequest,
  PushStatistics,
  PushQueries,
  PushCounterRepository,
} from '@pushsync/push';
import { BUS, CLOCK, KEY_VALUE, Lifecycle, LOGGER, STORE, STREAM, type Clock } from '@pushsync/runtime';
import { PlatformKeys } from '@pushsync/tenancy';
import { TemplateRepository } from '@pushsync/templates';
import type { PushEngineEnv } from '../shared/envs';
import { PeriodicTasks } from '../shared/periodic-tasks';
import { TenancyRepositories } from '../shared/tenancy-repositories';

export const PUSH_ENGINE_ENV = Symbol('PushEngineEnv');

/** Messages and tasks are kept 30 days (the console's message list, mps.md §6.1), then removed. */
const HISTORY_MS = 31 * 86_400_000;
const HISTORY_INTERVAL_MS = 3_600_000;
/** Statistics are kept 400 days: the analysis queries read up to 90 days anywhere in the last year. */
const STATISTICS_HISTORY_MS = 400 * 86_400_000;

export interface PushEngineParts {
  intake: PushIntake;
  revocation: Revocation;
  statistics: PushStatistics;
  queries: PushQueries;
  schedules: ScheduledPushes;
}

/**
 * The Message Push data path of push-core (ARCHITECTURE "Push"): the intake answering the push
 * APIs, the dispatcher routing each owed delivery, the device worker (resend on connect and bind,
 * acks, reports), the broadcast planner and shard sender, revocation and the expiry sweep.
 */
@Injectable()
export class PushEngine {
  private opened: PushEngineParts | undefined;
  private readonly consumers: StreamConsumer[] = [];
  private readonly periodic: PeriodicTasks;
  private receiptSender: ReceiptSender | undefined;
  private scheduled: ScheduledPushes | undefined;

  public constructor(
    @Inject(PUSH_ENGINE_ENV) private readonly env: PushEngineEnv,
    @Inject(STORE) private readonly store: Store,
    @Inject(STREAM) private readonly stream: Stream,
    @Inject(BUS) private readonly bus: Bus,
    @Inject(KEY_VALUE) private readonly keyValue: KeyValue,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: PlatformLogger,
    private readonly tenancy: TenancyRepositories,
    lifecycle: Lifecycle,
  ) {
    this.periodic = new PeriodicTasks(logger.child({ context: 'PushEngine' }));
    lifecycle.register({ name: 'push engine', start: () => this.start(), stop: () => this.stop() });
  }

  public get parts(): PushEngineParts {
    if (!this.opened) throw new DependencyUnavailableError('store', 'the push engine is not started yet (service starting)');
    return this.opened;
  }

  /** A binding made without a comet connection (REST v1 or the HTTP client endpoint): handled like a bind event, through the device-work topic. */
  public async bound(device: Device): Promise<void> {
    const event: PushDeviceEvent = { kind: 'bind', appId: device.appId, workspaceId: device.workspaceId, token: device._id, node: '', platform: device.platform, userId: device.userId };
    await this.stream.produce(PUSH_DEVICE_WORK_TOPIC.name, [{ key: device._id, value: encodeRecord(event) }]);
  }

  private async start(): Promise<void> {
    const clock = { now: () => this.clock.now() };
    const [messages, tasks, devices, templates, shards] = await Promise.all([
      MessageRepository.open(this.store),
      TaskRepository.open(this.store),
      DeviceRepository.open(this.store),
      TemplateRepository.open(this.store),
      BroadcastShardRepository.open(this.store),
    ]);
    await this.stream.ensureTopics([PUSH_DISPATCH_TOPIC, PUSH_DEVICE_WORK_TOPIC, PUSH_VENDOR_TOPIC, PUSH_BROADCAST_TOPIC, PUSH_BROADCAST_SHARD_TOPIC]);
    const presence = await Presence.open(this.keyValue, this.env.COMET_PRESENCE_TTL_MS, this.env.COMET_PRESENCE_BUCKET);
    const comet = new CometDelivery(this.bus, presence);
    const { apps } = this.tenancy.repositories;
    const outbox = await ReceiptOutboxRepository.open(this.store);
    const receiptSender = new ReceiptSender({ outbox, apps, platformKeys: new PlatformKeys(apps, clock.now), logger: this.logger.child({ context: 'ReceiptSender' }), now: clock.now });
    this.receiptSender = receiptSender;
    const receipts = new Receipts({ outbox, now: clock.now, sender: receiptSender });
    const counters = await PushCounterRepository.open(this.store);
    const statistics = new PushStatistics(counters, messages, tasks, devices, clock);
    const outcomes = allOutcomes([new ReceiptOutcomes(receipts, apps), statistics]);
    const dispatcher = new PushDispatcher(messages, tasks, devices, presence, comet, this.stream, this.enabledVendors(), outcomes, clock);
    const deviceWork = new PushDeviceWork(messages, tasks, devices, dispatcher, comet, outcomes, statistics, clock);
    const planner = new BroadcastPlanner(messages, tasks, devices, shards, presence, this.stream, clock);
    const shardSender = new BroadcastShardSender(messages, tasks, shards, comet, this.stream, statistics, clock);
    const expiry = new ExpirySweep(messages, outcomes, clock);
    const scheduled: ScheduledPushes = new ScheduledPushes(await ScheduleRepository.open<ScheduledRequest>(this.store), (): PushIntake => intake, clock, this.logger.child({ context: 'PushScheduler' }), { leaseMs: this.env.PUSH_SCHEDULE_LEASE_MS });
    const intake = new PushIntake(templates, devices, messages, tasks, new BatchingProducer(this.stream), scheduled, clock);
    this.scheduled = scheduled;
    this.consumers.push(
      await this.stream.subscribe({ group: PUSH_DISPATCH_GROUP, topics: [PUSH_DISPATCH_TOPIC.name], handleBatch: (batch) => dispatcher.handleBatch(batch) }),
      await this.stream.subscribe({ group: PUSH_DEVICE_WORK_GROUP, topics: [PUSH_DEVICE_WORK_TOPIC.name], handleBatch: (batch) => deviceWork.handleBatch(batch) }),
      await this.stream.subscribe({ group: PUSH_BROADCAST_GROUP, topics: [PUSH_BROADCAST_TOPIC.name], handleBatch: (batch) => planner.handleBatch(batch) }),
      await this.stream.subscribe({ group: PUSH_BROADCAST_SHARD_GROUP, topics: [PUSH_BROADCAST_SHARD_TOPIC.name], handleBatch: (batch) => shardSender.handleBatch(batch) }),
    );
    this.periodic.every(this.env.PUSH_EXPIRY_SWEEP_MS, 'expiring undelivered messages', () => expiry.sweep());
    this.periodic.every(HISTORY_INTERVAL_MS, 'removing old messages', async () => {
      const before = clock.now() - HISTORY_MS;
      await messages.deleteOlderThan(before);
      await tasks.deleteOlderThan(before);
      await shards.deleteOlderThan(before);
      await counters.deleteBefore(clock.now() - STATISTICS_HISTORY_MS);
    });
    receiptSender.start();
    scheduled.start();
    this.opened = { intake, revocation: new Revocation(messages, tasks, presence, comet, outcomes, clock), statistics, queries: new PushQueries(messages, tasks, devices, presence, clock), schedules: scheduled };
  }

  /** Vendor channel configurations arrive with channel-gateway (the vendor channels issue); until then every app has none and routing picks the self-built channel. */
  private enabledVendors(): EnabledVendors {
    const none: ReadonlySet<string> = new Set();
    return () => Promise.resolve(none);
  }

  private async stop(): Promise<void> {
    this.periodic.stop();
    await this.receiptSender?.stop();
    await this.scheduled?.stop();
    await Promise.all(this.consumers.map((consumer) => consumer.stop()));
  }
}

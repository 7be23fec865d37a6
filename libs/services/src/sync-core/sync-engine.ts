import { Inject, Injectable } from '@nestjs/common';
import { CometDelivery, Presence } from '@pushsync/comet';
import { BatchingProducer, DependencyUnavailableError, type Bus, type KeyValue, type PlatformLogger, type Store, type Stream, type StreamConsumer } from '@pushsync/platform';
import { BUS, CLOCK, KEY_VALUE, Lifecycle, LOGGER, STORE, STREAM, type Clock } from '@pushsync/runtime';
import { instanceIdOf, PlatformKeys } from '@pushsync/tenancy';
import {
  AppConsistencyGate,
  ConfigDirectory,
  ConsistencyRecordRepository,
  ConsistencyValidator,
  DEFAULT_DELIVERY_OPTIONS,
  DELIVERY_GROUP,
  DeliveryRepository,
  OplogDispatcher,
  OplogRepository,
  OrderIntake,
  OrderRelay,
  SEQUENCER_GROUP,
  Sequencer,
  SyncConfigRepository,
  SyncDelivery,
  SyncOrderRepository,
  SyncPointRepository,
  SYNC_DEVICE_WORK_TOPIC,
  SYNC_ORDERS_TOPIC,
  UserConsistency,
} from '@pushsync/sync';
import type { SyncEngineEnv } from '../shared/envs';
import { PeriodicTasks } from '../shared/periodic-tasks';
import { TenancyRepositories } from '../shared/tenancy-repositories';

export const SYNC_ENGINE_ENV = Symbol('SyncEngineEnv');

const RELAY_INTERVAL_MS = 2000;
const RETENTION_INTERVAL_MS = 60_000;
/** Delivery batches are counted for 30 days (mss.md §5.4), then removed. */
const DELIVERY_HISTORY_MS = 31 * 86_400_000;
/** How long a sync-core uses an app's configurations that another sync-core changed, should the bus lose the news. */
const CONFIG_CACHE_TTL_MS = 5000;
/** Published (payload: the instanceId) by the sync-core that changed an app's sync configurations. */
const SYNC_CONFIG_CHANGED_SUBJECT = 'sync.config-changed';

/**
 * The Mobile Sync data path of sync-core (ARCHITECTURE "Sync order"): the intake answering the
 * tenant APIs, the sequencer consuming the orders topic, the delivery worker consuming the
 * device-work topic, the outbox relay and the retention purge.
 */
@Injectable()
export class SyncEngine {
  private opened: { intake: OrderIntake; orders: SyncOrderRepository; oplogs: OplogRepository; points: SyncPointRepository; deliveries: DeliveryRepository; presence: Presence } | undefined;
  private readonly consumers: StreamConsumer[] = [];
  private readonly periodic: PeriodicTasks;
  private delivery: SyncDelivery | undefined;
  private configDirectory: ConfigDirectory | undefined;

  public constructor(
    @Inject(SYNC_ENGINE_ENV) private readonly env: SyncEngineEnv,
    @Inject(STORE) private readonly store: Store,
    @Inject(STREAM) private readonly stream: Stream,
    @Inject(BUS) private readonly bus: Bus,
    @Inject(KEY_VALUE) private readonly keyValue: KeyValue,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: PlatformLogger,
    private readonly tenancy: TenancyRepositories,
    lifecycle: Lifecycle,
  ) {
    this.periodic = new PeriodicTasks(logger.child({ context: 'SyncEngine' }));
    lifecycle.register({ name: 'sync engine', start: () => this.start(), stop: () => this.stop() });
  }

  public get intake(): OrderIntake {
    return this.parts.intake;
  }

  public get parts(): NonNullable<SyncEngine['opened']> {
    if (!this.opened) throw new DependencyUnavailableError('store', 'the sync engine is not started yet (service starting)');
    return this.opened;
  }

  private async start(): Promise<void> {
    const clock = { now: () => this.clock.now() };
    const logger = this.logger.child({ context: 'SyncEngine' });
    const { apps, operations } = this.tenancy.repositories;
    const [orders, oplogs, points, deliveries, configRepository, consistencyRecords] = await Promise.all([
      SyncOrderRepository.open(this.store),
      OplogRepository.open(this.store),
      SyncPointRepository.open(this.store),
      DeliveryRepository.open(this.store),
      SyncConfigRepository.open(this.store),
      ConsistencyRecordRepository.open(this.store),
    ]);
    await this.stream.ensureTopics([SYNC_ORDERS_TOPIC, SYNC_DEVICE_WORK_TOPIC]);
    const presence = await Presence.open(this.keyValue, this.env.COMET_PRESENCE_TTL_MS, this.env.COMET_PRESENCE_BUCKET);
    const producer = new BatchingProducer(this.stream);
    const dispatcher = new OplogDispatcher(presence, producer);
    const consistency = new AppConsistencyGate(new UserConsistency(consistencyRecords, new ConsistencyValidator(), new PlatformKeys(apps, clock.now), clock), apps);
    const configDirectory = new ConfigDirectory(configRepository, clock, CONFIG_CACHE_TTL_MS);
    this.configDirectory = configDirectory;
    await this.bus.subscribe(SYNC_CONFIG_CHANGED_SUBJECT, (message) => configDirectory.forget(Buffer.from(message.data).toString('utf8')));
    const delivery = new SyncDelivery(oplogs, points, deliveries, configDirectory, presence, new CometDelivery(this.bus, presence), consistency, clock, logger, {
      ...DEFAULT_DELIVERY_OPTIONS,
      ackTimeoutMs: this.env.SYNC_ACK_TIMEOUT_MS,
      maxAckTimeoutMs: this.env.SYNC_MAX_ACK_TIMEOUT_MS,
    });
    this.delivery = delivery;
    const sequencer = new Sequencer(orders, oplogs, dispatcher, clock);
    this.consumers.push(
      await this.stream.subscribe({ group: SEQUENCER_GROUP, topics: [SYNC_ORDERS_TOPIC.name], handleBatch: (batch) => sequencer.handleBatch(batch), onAssignment: () => sequencer.partitionsAssigned() }),
      await this.stream.subscribe({
        group: DELIVERY_GROUP,
        topics: [SYNC_DEVICE_WORK_TOPIC.name],
        handleBatch: (batch) => delivery.handleBatch(batch),
        onAssignment: (partitions) => void delivery.partitionsAssigned(partitions).catch((error: unknown) => logger.warn({ err: error }, 'resuming pending deliveries failed')),
      }),
    );
    const relay = new OrderRelay(orders, producer, this.stream, clock);
    this.periodic.every(RELAY_INTERVAL_MS, 'relaying unsequenced orders', () => relay.relay());
    this.periodic.every(RETENTION_INTERVAL_MS, 'purging expired sync data', async () => {
      const now = clock.now();
      await oplogs.deleteExpired(now);
      await orders.deleteExpired(now);
      await deliveries.deleteOlderThan(now - DELIVERY_HISTORY_MS);
    });
    this.opened = { intake: new OrderIntake(orders, configDirectory, presence, producer, operations, clock), orders, oplogs, points, deliveries, presence };
  }

  /** After a change to an app's sync configurations: this sync-core forgets them at once, the others when the message arrives. */
  public async configsChanged(app: { workspaceId: string; appId: string }): Promise<void> {
    const instanceId = instanceIdOf(app.workspaceId, app.appId);
    this.configDirectory?.forget(instanceId);
    await this.bus.publish(SYNC_CONFIG_CHANGED_SUBJECT, Buffer.from(instanceId, 'utf8')).catch((error: unknown) => {
      this.logger.warn({ err: error, instanceId }, `could not tell the other sync-cores that the sync configurations changed; their caches expire within ${CONFIG_CACHE_TTL_MS} ms`);
    });
  }

  /** Removes a deleted configuration's data in the background (DECISIONS D3 "Configs"); a failure is logged and left to retention. */
  public purgeBizType(app: { workspaceId: string; appId: string }, bizType: string): void {
    const instanceId = instanceIdOf(app.workspaceId, app.appId);
    const { orders, oplogs, points, deliveries } = this.parts;
    void (async () => {
      await orders.deleteOfBizType(app.workspaceId, app.appId, bizType);
      await oplogs.deleteOfBizType(instanceId, bizType);
      await points.deleteOfBizType(instanceId, bizType);
      await deliveries.deleteOfBizType(instanceId, bizType);
    })().catch((error: unknown) => this.logger.warn({ err: error, instanceId, bizType }, 'purging a deleted sync configuration failed; retention removes its data'));
  }

  private async stop(): Promise<void> {
    this.periodic.stop();
    this.delivery?.stop();
    await Promise.all(this.consumers.map((consumer) => consumer.stop()));
  }
}

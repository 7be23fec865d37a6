import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import { clusterEnv, uniqueName } from '@pushsync/platform/testing';
import { ServiceProcess, freePort } from './service-process';

export type ClusterService = 'api-gateway' | 'sync-core' | 'push-core' | 'comet-gateway' | 'channel-gateway' | 'stats';

const CORES = ['sync-core', 'push-core'] as const;

/**
 * Services of a cluster, each its own OS process on the real NATS, Kafka and MongoDB-compatible
 * server of tools/infra, sharing one fresh database; gRPC and HTTP ports are picked free.
 */
export class ClusterProcesses {
  public readonly infra = clusterEnv();
  private readonly mongoUrl: string;
  /** Topics and groups of this cluster only: suites and benchmarks sharing the Kafka of tools/infra do not consume each other's records. */
  private readonly topicPrefix: string;
  private readonly httpPorts = new Map<ClusterService, number>();
  private readonly grpcPorts = new Map<(typeof CORES)[number], number>();
  private readonly running = new Map<ClusterService, ServiceProcess>();

  /** `name` marks the database and the node ids (`<service>-<name>`); `extraEnv` goes to every service (it wins over the defaults). */
  public constructor(
    private readonly name: string,
    private readonly ownerCredential: string,
    private readonly extraEnv: Record<string, string> = {},
  ) {
    const database = uniqueName(name.replace(/[^A-Za-z0-9]/g, ''));
    this.mongoUrl = this.infra.mongoUrl.replace(/\/[^/]*$/, `/${database}`);
    this.topicPrefix = `${database}.`;
  }

  /** Starts the services, the cores first: api-gateway is ready only when the cores it calls answer. */
  public async start(services: readonly ClusterService[]): Promise<void> {
    for (const service of services) this.httpPorts.set(service, await freePort());
    for (const core of CORES) this.grpcPorts.set(core, await freePort());
    await Promise.all(services.filter((s) => s !== 'api-gateway').map((s) => this.launch(s)));
    if (services.includes('api-gateway')) await this.launch('api-gateway');
  }

  /** Starts (or restarts) one service and waits until it is ready. */
  public async launch(service: ClusterService): Promise<ServiceProcess> {
    const process = new ServiceProcess(service, this.envOf(service)).start();
    this.running.set(service, process);
    await process.waitUntilReady(this.readyz(service), 60_000);
    return process;
  }

  public process(service: ClusterService): ServiceProcess {
    const process = this.running.get(service);
    if (!process) throw new Error(`${service} was not started`);
    return process;
  }

  public baseUrl(service: ClusterService): string {
    return `http://127.0.0.1:${this.httpPorts.get(service)}`;
  }

  public readyz(service: ClusterService): string {
    return `${this.baseUrl(service)}/readyz`;
  }

  public async stopAll(): Promise<void> {
    await Promise.all([...this.running.values()].map((p) => p.stop().catch(() => undefined)));
  }

  /**
   * Stops every service and removes what the cluster left on the shared infrastructure: its topics
   * and consumer groups (a Kafka holding the partitions of every past run ran out of heap at about
   * 14,000) and, unless kept, its database.
   */
  public async dispose(options: { keepDatabase?: boolean } = {}): Promise<void> {
    await this.stopAll();
    const admin = new Kafka({ clientId: `cleanup-${this.name}`, brokers: this.infra.kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
    try {
      await admin.connect();
      const groups = (await admin.listGroups()).groups.map((group) => group.groupId).filter((id) => id.startsWith(this.topicPrefix));
      if (groups.length > 0) await admin.deleteGroups(groups);
      const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(this.topicPrefix));
      if (topics.length > 0) await admin.deleteTopics({ topics });
    } catch (error) {
      process.stderr.write(`[cluster ${this.name}] removing its Kafka topics failed: ${String(error)}\n`);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    if (options.keepDatabase) return;
    try {
      const connection = await mongoose.createConnection(this.mongoUrl, { serverSelectionTimeoutMS: 5000 }).asPromise();
      await connection.dropDatabase();
      await connection.close();
    } catch (error) {
      process.stderr.write(`[cluster ${this.name}] dropping its database failed: ${String(error)}\n`);
    }
  }

  private envOf(service: ClusterService): Record<string, string> {
    const grpc = (core: (typeof CORES)[number]) => `127.0.0.1:${this.grpcPorts.get(core)}`;
    return {
      PUSHSYNC_MODE: 'cluster',
      NATS_URL: this.infra.natsUrl,
      KAFKA_BROKERS: this.infra.kafkaBrokers.join(','),
      MONGO_URL: this.mongoUrl,
      KAFKA_TOPIC_PREFIX: this.topicPrefix,
      HTTP_PORT: String(this.httpPorts.get(service)),
      NODE_ID: `${service}-${this.name}`,
      PUSHSYNC_ADMIN_KEY: this.ownerCredential,
      ...(service === 'api-gateway' ? { SYNC_CORE_GRPC: grpc('sync-core'), PUSH_CORE_GRPC: grpc('push-core') } : {}),
      ...(service === 'sync-core' || service === 'push-core' ? { GRPC_LISTEN: grpc(service) } : {}),
      ...this.extraEnv,
    };
  }
}

import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import type { Server as HttpServer } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Registry } from 'prom-client';
import { CometDelivery, CometGateway, CometMetrics, DEFAULT_COMET_CONFIG, Presence, type CometConfig } from '@pushsync/comet';
import { DeviceRepository, Devices } from '@pushsync/devices';
import { BatchingProducer, DependencyUnavailableError, type Bus, type KeyValue, type PlatformLogger, type Store, type Stream } from '@pushsync/platform';
import { encodeRecord, PUSH_DEVICE_WORK_TOPIC, pushWorkOf } from '@pushsync/push';
import { BUS, KEY_VALUE, Lifecycle, LOGGER, METRICS, SERVICE_INFO, STORE, STREAM, type ServiceInfo } from '@pushsync/runtime';
import { deviceWorkOf, encodeDeviceWork, SYNC_DEVICE_WORK_TOPIC } from '@pushsync/sync';
import type { CometEnv } from '../shared/envs';
import { TenancyRepositories } from '../shared/tenancy-repositories';
import { cometTlsCredentials } from './tls-certificate';
import { attachSocket, createWebSocketUpgrade } from './transports';

export const COMET_ENV = Symbol('CometEnv');

export function cometConfigOf(env: CometEnv, nodeId: string): CometConfig {
  return {
    ...DEFAULT_COMET_CONFIG,
    nodeId,
    heartbeatMs: env.COMET_HEARTBEAT_MS,
    handshakeTimeoutMs: env.COMET_HANDSHAKE_TIMEOUT_MS,
    presenceTtlMs: env.COMET_PRESENCE_TTL_MS,
    maxFrameBytes: env.COMET_MAX_FRAME_BYTES,
    sendQueue: { maxFrames: env.COMET_SEND_QUEUE_MAX, maxBytes: env.COMET_SEND_QUEUE_MAX_BYTES },
    handshakeRate: { burst: env.COMET_HANDSHAKE_BURST, perSecond: env.COMET_HANDSHAKE_PER_SECOND },
  };
}

/**
 * The comet gateway of this process: once the store, bus and KV answer it opens presence and the
 * device records, consumes `comet.node.<nodeId>`, and listens on TCP, TLS and WebSocket (`/comet`
 * on the HTTP port). On shutdown it stops accepting, drains (GoAway to everyone, presence removed)
 * and closes what is left after COMET_DRAIN_GRACE_MS.
 */
@Injectable()
export class CometServer {
  private gateway: CometGateway | undefined;
  private delivery: CometDelivery | undefined;
  private tcp: TcpServer | undefined;
  private tls: TlsServer | undefined;
  private upgradeListener: ((...args: Parameters<ReturnType<typeof createWebSocketUpgrade>['handleUpgrade']>) => void) | undefined;
  private websocket: ReturnType<typeof createWebSocketUpgrade> | undefined;
  private readonly metrics: CometMetrics;

  public constructor(
    @Inject(COMET_ENV) private readonly env: CometEnv,
    @Inject(BUS) private readonly bus: Bus,
    @Inject(KEY_VALUE) private readonly keyValue: KeyValue,
    @Inject(STORE) private readonly store: Store,
    @Inject(STREAM) private readonly stream: Stream,
    @Inject(METRICS) registry: Registry,
    @Inject(LOGGER) private readonly logger: PlatformLogger,
    @Inject(SERVICE_INFO) private readonly info: ServiceInfo,
    private readonly tenancy: TenancyRepositories,
    private readonly httpAdapterHost: HttpAdapterHost,
    lifecycle: Lifecycle,
  ) {
    this.metrics = new CometMetrics(registry);
    lifecycle.register({ name: 'comet gateway', start: () => this.start(), stop: () => this.stop() });
  }

  /** Where other parts of this process reach connected devices. */
  public get deliveries(): CometDelivery {
    if (!this.delivery) throw new DependencyUnavailableError('comet', 'the comet gateway is not started yet');
    return this.delivery;
  }

  public get maxFrameBytes(): number {
    return this.env.COMET_MAX_FRAME_BYTES;
  }

  /** The listening ports (for logs and tests). */
  public get ports(): { tcp: number | undefined; tls: number | undefined } {
    const port = (server: TcpServer | undefined) => {
      const address = server?.address();
      return address && typeof address === 'object' ? address.port : undefined;
    };
    return { tcp: port(this.tcp), tls: port(this.tls) };
  }

  private async start(): Promise<void> {
    const env = this.env;
    const config = cometConfigOf(env, this.info.nodeId);
    const presence = await Presence.open(this.keyValue, config.presenceTtlMs, env.COMET_PRESENCE_BUCKET);
    const devices = new Devices(await DeviceRepository.open(this.store));
    await this.stream.ensureTopics([SYNC_DEVICE_WORK_TOPIC, PUSH_DEVICE_WORK_TOPIC]);
    const deviceWork = new BatchingProducer(this.stream);
    const gateway = new CometGateway({
      config,
      apps: this.tenancy.cachedApps(),
      devices,
      presence,
      bus: this.bus,
      metrics: this.metrics,
      logger: this.logger.child({ context: 'CometGateway' }),
      // Connections, bindings, acks and reports are what the sync and push engines deliver by (ARCHITECTURE "Sync order", "Push").
      eventSink: (event) => {
        const syncWork = deviceWorkOf(event);
        if (syncWork) {
          deviceWork.send(SYNC_DEVICE_WORK_TOPIC.name, { key: event.deviceToken, value: encodeDeviceWork(syncWork) }).catch((error: unknown) => {
            this.logger.warn({ err: error, kind: event.kind }, 'handing a device event to sync failed; the device catches up at its next connect');
          });
        }
        const pushWork = pushWorkOf(event);
        if (pushWork) {
          deviceWork.send(PUSH_DEVICE_WORK_TOPIC.name, { key: event.deviceToken, value: encodeRecord(pushWork) }).catch((error: unknown) => {
            this.logger.warn({ err: error, kind: event.kind }, 'handing a device event to push failed; what it is owed is resent at its next connect');
          });
        }
      },
    });
    await gateway.start();
    this.gateway = gateway;
    this.delivery = new CometDelivery(this.bus, presence, { maxFrameBytes: config.maxFrameBytes });

    const host = env.COMET_HOST ?? env.HTTP_HOST;
    this.tcp = createTcpServer((socket) => attachSocket(gateway, socket, 'tcp', config.maxFrameBytes));
    await listen(this.tcp, env.COMET_TCP_PORT, host);
    const credentials = await cometTlsCredentials({ certFile: env.COMET_TLS_CERT, keyFile: env.COMET_TLS_KEY, dataDir: env.PUSHSYNC_DATA_DIR });
    this.tls = createTlsServer({ cert: credentials.cert, key: credentials.key, handshakeTimeout: config.handshakeTimeoutMs }, (socket) => attachSocket(gateway, socket, 'tls', config.maxFrameBytes));
    this.tls.on('tlsClientError', () => undefined);
    await listen(this.tls, env.COMET_TLS_PORT, host);

    const websocket = createWebSocketUpgrade(gateway, config.maxFrameBytes);
    this.websocket = websocket;
    this.upgradeListener = (request, socket, head) => websocket.handleUpgrade(request, socket, head);
    (this.httpAdapterHost.httpAdapter.getHttpServer() as HttpServer).on('upgrade', this.upgradeListener);
    this.logger.info(
      { tcpPort: this.ports.tcp, tlsPort: this.ports.tls, host, websocket: '/comet', selfSignedCertificate: credentials.selfSigned ? credentials.certPath : undefined, nodeId: this.info.nodeId },
      'comet gateway listening',
    );
  }

  private async stop(): Promise<void> {
    // Stop accepting first, then tell every client to go elsewhere.
    const closing = [this.tcp, this.tls].map((server) => (server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve()));
    if (this.upgradeListener) (this.httpAdapterHost.httpAdapter.getHttpServer() as HttpServer).off('upgrade', this.upgradeListener);
    await this.gateway?.drain('SHUTDOWN', this.gateway.config.reconnectBackoffMs, this.env.COMET_DRAIN_GRACE_MS);
    this.websocket?.close();
    await this.gateway?.stop();
    await Promise.all(closing);
  }
}

function listen(server: TcpServer, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

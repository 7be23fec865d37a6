import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { DynamicModule, INestApplication, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  ConfigError,
  createInfrastructure,
  createLogger,
  createMetricsRegistry,
  waitUntilReady,
  type Infrastructure,
  type InfrastructureOptions,
  type PlatformLogger,
  type ReadinessProbe,
  type ServiceLinks,
} from '@pushsync/platform';
import { Lifecycle } from './lifecycle';
import type { RuntimeContext } from './runtime.module';

export const MAX_BODY_BYTES = 1024 * 1024;

export interface CommonEnv {
  PUSHSYNC_MODE: 'embedded' | 'cluster';
  PUSHSYNC_DATA_DIR: string;
  NATS_URL?: string;
  KAFKA_BROKERS?: string;
  KAFKA_TOPIC_PREFIX?: string;
  MONGO_URL?: string;
  LOG_LEVEL: string;
  NODE_ID?: string;
  HTTP_HOST: string;
  HTTP_PORT: number;
}

export interface ServiceSpec<E extends CommonEnv> {
  service: string;
  loadEnv(): E;
  createLinks(env: E, infrastructure: Infrastructure): ServiceLinks;
  /** The root module of the service, given the runtime (ports, logger, metrics). */
  rootModule(context: RuntimeContext, env: E): DynamicModule;
  /** Extra readiness probes (e.g. the cores a gateway calls). */
  extraProbes?(context: Omit<RuntimeContext, 'probes'>): ReadinessProbe[];
  /** Runs after the HTTP server listens and every dependency answered (routes, banners). */
  afterStart?(app: NestFastifyApplication, context: RuntimeContext, env: E): Promise<void>;
  /** Adjust the Fastify app before it listens (content parsers, OpenAPI). */
  configure?(app: NestFastifyApplication, context: RuntimeContext, env: E): Promise<void> | void;
}

function infrastructureOptions(env: CommonEnv, service: string, nodeId: string, logger: PlatformLogger): InfrastructureOptions {
  if (env.PUSHSYNC_MODE === 'embedded') return { mode: 'embedded', dataDir: env.PUSHSYNC_DATA_DIR, logger };
  return {
    mode: 'cluster',
    natsUrl: env.NATS_URL!,
    kafkaBrokers: env.KAFKA_BROKERS!.split(','),
    kafkaTopicPrefix: env.KAFKA_TOPIC_PREFIX,
    mongoUrl: env.MONGO_URL!,
    clientName: `${service}-${nodeId}`,
    logger,
  };
}

function nestLogger(logger: PlatformLogger): LoggerService {
  return {
    log: (message: unknown, context?: string) => logger.debug({ context }, String(message)),
    error: (message: unknown, trace?: string, context?: string) => logger.error({ context, trace }, String(message)),
    warn: (message: unknown, context?: string) => logger.warn({ context }, String(message)),
  };
}

/**
 * Starts one service process: validated config (exit 1 naming the variable), JSON logs,
 * HTTP with /healthz, /readyz and /metrics at once, then waits for its dependencies with
 * back-off before starting its background parts, and shuts down in order on SIGTERM.
 */
export async function runService<E extends CommonEnv>(spec: ServiceSpec<E>): Promise<INestApplication> {
  let env: E;
  try {
    env = spec.loadEnv();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${spec.service}: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const nodeId = env.NODE_ID ?? `${hostname()}-${randomBytes(3).toString('hex')}`;
  const logger = createLogger({ service: spec.service, level: env.LOG_LEVEL });
  const infrastructure = createInfrastructure(infrastructureOptions(env, spec.service, nodeId, logger));
  const links = spec.createLinks(env, infrastructure);
  const partial = {
    info: { service: spec.service, nodeId, mode: env.PUSHSYNC_MODE },
    infrastructure,
    links,
    logger,
    metrics: createMetricsRegistry(spec.service),
  };
  const context: RuntimeContext = { ...partial, probes: [...infrastructure.probes, ...(spec.extraProbes?.(partial) ?? [])] };

  const app = await NestFactory.create<NestFastifyApplication>(
    spec.rootModule(context, env),
    new FastifyAdapter({ bodyLimit: MAX_BODY_BYTES, genReqId: () => randomBytes(8).toString('hex'), requestIdHeader: false }),
    { rawBody: true, logger: nestLogger(logger) },
  );
  await spec.configure?.(app, context, env);
  await app.listen(env.HTTP_PORT, env.HTTP_HOST);
  logger.info({ port: env.HTTP_PORT, host: env.HTTP_HOST, mode: env.PUSHSYNC_MODE, nodeId }, `${spec.service} listening`);

  const lifecycle = app.get(Lifecycle);
  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, `${spec.service} shutting down`);
    const force = setTimeout(() => {
      logger.error('shutdown took longer than 20 s; exiting');
      process.exit(1);
    }, 20_000);
    force.unref();
    try {
      await lifecycle.stopAll();
      await app.close();
      await links.close();
      await infrastructure.close();
    } catch (error) {
      logger.error({ err: error }, 'error during shutdown');
    }
    logger.flush();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  const ready = await waitUntilReady(infrastructure.probes, {
    isCancelled: () => shuttingDown,
    onWaiting: (report, retryInMs) => {
      const down = report.checks.filter((c) => !c.ok);
      lifecycle.waiting(down.map((c) => c.name).join(', '));
      logger.warn({ down, retryInMs }, `waiting for ${down.map((c) => `${c.name}: ${c.reason}`).join('; ')}`);
    },
  });
  if (!ready) return app;
  await lifecycle.startAll();
  await spec.afterStart?.(app, context, env);
  logger.info(`${spec.service} ready`);
  return app;
}

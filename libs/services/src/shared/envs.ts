import { z } from 'zod';
import { envPort } from '@pushsync/platform';
import { GRPC_ADDRESS, serviceEnvSchema } from './service-env';

const ADMIN_CREDENTIAL = z.string().regex(/^[A-Za-z0-9_-]{4,64}\.[A-Za-z0-9_-]{16,128}$/, 'must be <id>.<secret> (id 4-64, secret 16-128 of [A-Za-z0-9_-])');

export const DEFAULT_PORTS = {
  apiGatewayHttp: 8080,
  syncCoreGrpc: 50061,
  pushCoreGrpc: 50062,
  syncCoreHttp: 8081,
  pushCoreHttp: 8082,
  cometGatewayHttp: 8083,
  channelGatewayHttp: 8084,
  statsHttp: 8085,
} as const;

/** Comet gateway listeners and limits (DECISIONS D6); read by comet-gateway and the standalone. */
export const cometEnv = {
  /** Address the TCP and TLS listeners bind; the HTTP_HOST when absent. */
  COMET_HOST: z.string().min(1).optional(),
  COMET_TCP_PORT: envPort(9800),
  COMET_TLS_PORT: envPort(9801),
  /** PEM files of the operator's certificate; both or neither (then a self-signed one is generated into PUSHSYNC_DATA_DIR). */
  COMET_TLS_CERT: z.string().min(1).optional(),
  COMET_TLS_KEY: z.string().min(1).optional(),
  COMET_MAX_FRAME_BYTES: z.coerce.number().int().min(1024).max(16 * 1024 * 1024).default(64 * 1024),
  COMET_HEARTBEAT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  COMET_HANDSHAKE_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** Frames a connection may have waiting while its client does not read; beyond, it is disconnected (SLOW_CONSUMER). */
  COMET_SEND_QUEUE_MAX: z.coerce.number().int().min(1).max(1_000_000).default(1024),
  COMET_SEND_QUEUE_MAX_BYTES: z.coerce.number().int().min(1024).max(1024 * 1024 * 1024).default(4 * 1024 * 1024),
  /** Must exceed the idle timeout (2.5 heartbeats) so a live connection's entry never lapses. */
  COMET_PRESENCE_TTL_MS: z.coerce.number().int().min(1000).max(3_600_000).default(90_000),
  /** The KV bucket of presence; all comet nodes of a deployment (and the services routing to them) share it. */
  COMET_PRESENCE_BUCKET: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 of [A-Za-z0-9_-]').default('comet-presence'),
  COMET_HANDSHAKE_BURST: z.coerce.number().int().min(1).max(1_000_000).default(100),
  COMET_HANDSHAKE_PER_SECOND: z.coerce.number().min(0.01).max(1_000_000).default(50),
  /** On SIGTERM: time between GoAway and closing what is left. */
  COMET_DRAIN_GRACE_MS: z.coerce.number().int().min(0).max(15_000).default(2_000),
};
/** The sync engine's delivery timing (DECISIONS D3) and the presence bucket it shares with the comet gateways. */
export const syncEngineEnv = {
  SYNC_ACK_TIMEOUT_MS: z.coerce.number().int().min(50).max(600_000).default(10_000),
  SYNC_MAX_ACK_TIMEOUT_MS: z.coerce.number().int().min(50).max(3_600_000).default(300_000),
  COMET_PRESENCE_TTL_MS: cometEnv.COMET_PRESENCE_TTL_MS,
  COMET_PRESENCE_BUCKET: cometEnv.COMET_PRESENCE_BUCKET,
};
export type SyncEngineEnv = z.infer<ReturnType<typeof z.object<typeof syncEngineEnv>>>;

/** The push engine's timing and the presence bucket it shares with the comet gateways. */
export const pushEngineEnv = {
  /** How often undelivered messages past their validity are moved to Expired (status 4). */
  PUSH_EXPIRY_SWEEP_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  /** How long a scheduler replica holds an occurrence it is firing without renewing it; after it, another replica may fire it again (idempotently). */
  PUSH_SCHEDULE_LEASE_MS: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
  COMET_PRESENCE_TTL_MS: cometEnv.COMET_PRESENCE_TTL_MS,
  COMET_PRESENCE_BUCKET: cometEnv.COMET_PRESENCE_BUCKET,
};
export type PushEngineEnv = z.infer<ReturnType<typeof z.object<typeof pushEngineEnv>>>;

export type CometEnv = z.infer<ReturnType<typeof z.object<typeof cometEnv>>> & { HTTP_HOST: string; PUSHSYNC_DATA_DIR: string };

function refineComet(env: Record<string, unknown>, context: z.RefinementCtx): void {
  if ((env.COMET_TLS_CERT === undefined) !== (env.COMET_TLS_KEY === undefined)) {
    context.addIssue({ code: 'custom', path: [env.COMET_TLS_CERT === undefined ? 'COMET_TLS_CERT' : 'COMET_TLS_KEY'], message: 'COMET_TLS_CERT and COMET_TLS_KEY go together' });
  }
  if (typeof env.COMET_PRESENCE_TTL_MS === 'number' && typeof env.COMET_HEARTBEAT_MS === 'number' && env.COMET_PRESENCE_TTL_MS <= env.COMET_HEARTBEAT_MS * 2.5) {
    context.addIssue({ code: 'custom', path: ['COMET_PRESENCE_TTL_MS'], message: 'must exceed 2.5 × COMET_HEARTBEAT_MS (the idle timeout)' });
  }
}

export const apiGatewayExtraEnv = {
  PUSHSYNC_ADMIN_KEY: ADMIN_CREDENTIAL.optional(),
  RATE_LIMIT_PER_APP: z.coerce.number().int().min(1).max(1_000_000).default(500),
};

export const apiGatewayEnvSchema = serviceEnvSchema(DEFAULT_PORTS.apiGatewayHttp, {
  ...apiGatewayExtraEnv,
  SYNC_CORE_GRPC: GRPC_ADDRESS.default(`127.0.0.1:${DEFAULT_PORTS.syncCoreGrpc}`),
  PUSH_CORE_GRPC: GRPC_ADDRESS.default(`127.0.0.1:${DEFAULT_PORTS.pushCoreGrpc}`),
});
export type ApiGatewayEnv = z.infer<typeof apiGatewayEnvSchema>;

export const syncCoreEnvSchema = serviceEnvSchema(DEFAULT_PORTS.syncCoreHttp, { ...syncEngineEnv, GRPC_LISTEN: GRPC_ADDRESS.default(`127.0.0.1:${DEFAULT_PORTS.syncCoreGrpc}`) });
export const pushCoreEnvSchema = serviceEnvSchema(DEFAULT_PORTS.pushCoreHttp, { ...pushEngineEnv, GRPC_LISTEN: GRPC_ADDRESS.default(`127.0.0.1:${DEFAULT_PORTS.pushCoreGrpc}`) });
export const cometGatewayEnvSchema = serviceEnvSchema(DEFAULT_PORTS.cometGatewayHttp, cometEnv).superRefine(refineComet);
export type CometGatewayEnv = z.infer<typeof cometGatewayEnvSchema>;
export const channelGatewayEnvSchema = serviceEnvSchema(DEFAULT_PORTS.channelGatewayHttp, {});
export const statsEnvSchema = serviceEnvSchema(DEFAULT_PORTS.statsHttp, {});

/** Standalone: every service in one process, embedded adapters unless told otherwise. */
export const standaloneEnvSchema = serviceEnvSchema(DEFAULT_PORTS.apiGatewayHttp, {
  ...apiGatewayExtraEnv,
  ...cometEnv,
  ...syncEngineEnv,
  ...pushEngineEnv,
  PUSHSYNC_MODE: z.enum(['embedded', 'cluster']).default('embedded'),
}).superRefine(refineComet);
export type StandaloneEnv = z.infer<typeof standaloneEnvSchema>;

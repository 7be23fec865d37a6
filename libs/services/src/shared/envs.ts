import { z } from 'zod';
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

export const syncCoreEnvSchema = serviceEnvSchema(DEFAULT_PORTS.syncCoreHttp, { GRPC_LISTEN: GRPC_ADDRESS.default(`127.0.0.1:${DEFAULT_PORTS.syncCoreGrpc}`) });
export const pushCoreEnvSchema = serviceEnvSchema(DEFAULT_PORTS.pushCoreHttp, { GRPC_LISTEN: GRPC_ADDRESS.default(`127.0.0.1:${DEFAULT_PORTS.pushCoreGrpc}`) });
export const cometGatewayEnvSchema = serviceEnvSchema(DEFAULT_PORTS.cometGatewayHttp, {});
export const channelGatewayEnvSchema = serviceEnvSchema(DEFAULT_PORTS.channelGatewayHttp, {});
export const statsEnvSchema = serviceEnvSchema(DEFAULT_PORTS.statsHttp, {});

/** Standalone: every service in one process, embedded adapters unless told otherwise. */
export const standaloneEnvSchema = serviceEnvSchema(DEFAULT_PORTS.apiGatewayHttp, {
  ...apiGatewayExtraEnv,
  PUSHSYNC_MODE: z.enum(['embedded', 'cluster']).default('embedded'),
});
export type StandaloneEnv = z.infer<typeof standaloneEnvSchema>;

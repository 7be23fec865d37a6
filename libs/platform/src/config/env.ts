import { z } from 'zod';

export class ConfigError extends Error {
  public constructor(public readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates the environment once, at start; every problem names its variable. */
export function loadEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`));
}

const port = z.coerce.number().int().min(0).max(65535);
export const envPort = (fallback: number) => port.default(fallback);

/** Settings every service shares: which adapters, where the data or the servers are, logging. */
export const infrastructureEnvShape = {
  PUSHSYNC_MODE: z.enum(['embedded', 'cluster']).default('cluster'),
  PUSHSYNC_DATA_DIR: z.string().min(1).default('./data'),
  NATS_URL: z.string().regex(/^(nats|tls):\/\/.+/, 'must be a nats:// URL').optional(),
  KAFKA_BROKERS: z.string().regex(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, 'must be host:port[,host:port...]').optional(),
  MONGO_URL: z.string().regex(/^mongodb(\+srv)?:\/\/.+/, 'must be a mongodb:// URL').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Prefix of every Kafka topic and consumer group of this deployment (several deployments may share one Kafka). */
  KAFKA_TOPIC_PREFIX: z.string().regex(/^[A-Za-z0-9._-]{0,100}$/, 'must be up to 100 of [A-Za-z0-9._-]').default(''),
  NODE_ID: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 of [A-Za-z0-9_-]').optional(),
};

/** Cluster mode needs every server address; embedded mode needs none. */
export function requireClusterAddresses(env: Record<string, unknown>, context: z.RefinementCtx): void {
  if (env.PUSHSYNC_MODE !== 'cluster') return;
  for (const name of ['NATS_URL', 'KAFKA_BROKERS', 'MONGO_URL'] as const) {
    if (!env[name]) context.addIssue({ code: 'custom', path: [name], message: 'is required when PUSHSYNC_MODE=cluster' });
  }
}

/**
 * Connection settings of the real servers started by tools/infra. Conformance and e2e suites
 * run their cluster half only when these are set: tools/test/run-all sets them, and a run of
 * `npm test` without them fails rather than silently skipping.
 */
export interface ClusterEnv {
  natsUrl: string;
  kafkaBrokers: string[];
  mongoUrl: string;
}

export function clusterEnv(): ClusterEnv {
  const { NATS_URL, KAFKA_BROKERS, MONGO_URL } = process.env;
  if (!NATS_URL || !KAFKA_BROKERS || !MONGO_URL) {
    throw new Error('cluster suites need NATS_URL, KAFKA_BROKERS and MONGO_URL: run them through `npm test` (tools/test/run-all) or `eval "$(tools/infra/env)"` after `tools/infra/up`');
  }
  return { natsUrl: NATS_URL, kafkaBrokers: KAFKA_BROKERS.split(','), mongoUrl: MONGO_URL };
}

/** A name no other test run uses, for topics, buckets, collections and groups. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

import { join } from 'node:path';
import { NatsBus } from './bus/nats-bus.adapter';
import { InProcessBus } from './bus/in-process-bus.adapter';
import { NatsConnection } from './bus/nats-connection';
import type { Bus } from './bus/bus.port';
import type { ReadinessProbe } from './health/readiness';
import { InProcessKeyValue } from './kv/in-process-kv.adapter';
import { NatsKeyValue } from './kv/nats-kv.adapter';
import type { KeyValue } from './kv/kv.port';
import type { PlatformLogger } from './logging/logger';
import { SqliteStore } from './store/sqlite-store.adapter';
import { MongoStore } from './store/mongo-store.adapter';
import type { Store } from './store/store.port';
import { EmbeddedStream } from './stream/embedded-stream.adapter';
import { KafkaStream } from './stream/kafka-stream.adapter';
import { NamespacedStream } from './stream/namespaced-stream';
import type { Stream } from './stream/stream.port';

export type InfrastructureOptions =
  | { mode: 'embedded'; dataDir: string; logger: PlatformLogger }
  | { mode: 'cluster'; natsUrl: string; kafkaBrokers: string[]; kafkaTopicPrefix?: string; mongoUrl: string; clientName: string; logger: PlatformLogger };

/** The adapters behind the ports, chosen by configuration; domain code sees only the ports. */
export interface Infrastructure {
  mode: 'embedded' | 'cluster';
  bus: Bus;
  stream: Stream;
  store: Store;
  keyValue: KeyValue;
  probes: ReadinessProbe[];
  close(): Promise<void>;
}

export function createInfrastructure(options: InfrastructureOptions): Infrastructure {
  if (options.mode === 'embedded') {
    const store = new SqliteStore(join(options.dataDir, 'store.db'));
    const stream = new EmbeddedStream(join(options.dataDir, 'stream.db'), {
      onHandlerError: (error, context) => options.logger.error({ err: error, ...context }, 'stream handler failed; retrying the batch'),
    });
    return assemble('embedded', { bus: new InProcessBus(), stream, store, keyValue: new InProcessKeyValue() });
  }
  const connection = new NatsConnection({ url: options.natsUrl, name: options.clientName, logger: options.logger });
  const kafka = new KafkaStream({ brokers: options.kafkaBrokers, clientId: options.clientName, logger: options.logger });
  return assemble(
    'cluster',
    {
      bus: new NatsBus(connection),
      keyValue: new NatsKeyValue(connection),
      stream: options.kafkaTopicPrefix ? new NamespacedStream(kafka, options.kafkaTopicPrefix) : kafka,
      store: new MongoStore(options.mongoUrl),
    },
    () => connection.close(),
  );
}

function assemble(
  mode: Infrastructure['mode'],
  ports: Pick<Infrastructure, 'bus' | 'stream' | 'store' | 'keyValue'>,
  closeShared: () => Promise<void> = async () => undefined,
): Infrastructure {
  return {
    mode,
    ...ports,
    probes: [
      { name: `store (${ports.store.kind})`, check: () => ports.store.ping() },
      { name: `stream (${ports.stream.kind})`, check: () => ports.stream.ping() },
      { name: `bus (${ports.bus.kind})`, check: () => ports.bus.ping() },
    ],
    // Consumers stop before producers and stores close, so nothing in flight loses its target.
    close: async () => {
      await ports.stream.close();
      await ports.bus.close();
      await ports.keyValue.close();
      await closeShared();
      await ports.store.close();
    },
  };
}

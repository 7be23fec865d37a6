export * from './kv.port';
export { InProcessKeyValue } from './in-process-kv.adapter';
export { NatsKeyValue } from './nats-kv.adapter';

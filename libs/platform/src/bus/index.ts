export * from './bus.port';
export * from './bus.errors';
export { subjectMatches } from './subject-match';
export { InProcessBus } from './in-process-bus.adapter';
export { NatsBus } from './nats-bus.adapter';
export { NatsConnection, type NatsConnectionOptions } from './nats-connection';

/** Injection tokens for the platform ports; which adapter stands behind each is the bootstrap's choice. */
export const BUS = Symbol('Bus');
export const STREAM = Symbol('Stream');
export const STORE = Symbol('Store');
export const KEY_VALUE = Symbol('KeyValue');
export const SERVICE_LINKS = Symbol('ServiceLinks');
export const LOGGER = Symbol('Logger');
export const METRICS = Symbol('MetricsRegistry');
export const CLOCK = Symbol('Clock');
export const SERVICE_INFO = Symbol('ServiceInfo');

export interface ServiceInfo {
  /** `api-gateway`, `sync-core`, ... or `standalone`. */
  service: string;
  nodeId: string;
  mode: 'embedded' | 'cluster';
}

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

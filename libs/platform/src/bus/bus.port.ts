/**
 * Bus port: subject-based publish/subscribe and request/reply (NATS's model, at most once).
 * Subjects are dot-separated tokens; a subscription may use `*` (one token) and `>` (the rest).
 * Subscribers sharing a `queue` name split the messages between them.
 * Both adapters must pass `bus.conformance.ts`.
 */
export interface BusMessage {
  subject: string;
  data: Uint8Array;
}

export type BusHandler = (message: BusMessage) => void | Promise<void>;
export type BusResponder = (message: BusMessage) => Uint8Array | Promise<Uint8Array>;

export interface BusSubscription {
  unsubscribe(): Promise<void>;
}

export interface Bus {
  readonly kind: 'nats' | 'in-process';
  publish(subject: string, data: Uint8Array): Promise<void>;
  subscribe(subject: string, handler: BusHandler, options?: { queue?: string }): Promise<BusSubscription>;
  /** Answers requests on `subject`; a responder that throws makes the request fail with BusRequestError. */
  respond(subject: string, responder: BusResponder, options?: { queue?: string }): Promise<BusSubscription>;
  /** Rejects with BusNoResponderError when nobody listens, BusTimeoutError after `timeoutMs`. */
  request(subject: string, data: Uint8Array, options: { timeoutMs: number }): Promise<Uint8Array>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * One client connection as the gateway core sees it, whatever the transport (TCP, TLS, WebSocket).
 * The transport splits the inbound byte stream into frame payloads and hands them to the session;
 * the session hands it encoded frames (no length prefix: the transport adds its own framing).
 */
export interface Connection {
  readonly transport: 'tcp' | 'tls' | 'ws' | 'memory';
  readonly remoteAddress: string;
  /**
   * Writes one encoded frame. The same bytes may be handed to many connections: the transport must
   * not modify or keep them beyond the write. Returns false when the transport's own buffer is full
   * (backpressure): the caller queues further frames until `onDrain` fires.
   */
  write(frame: Uint8Array): boolean;
  /** Called once each time the transport's buffer has room again after write returned false. */
  onDrain(listener: () => void): void;
  /** Flushes what was written, then closes. */
  end(): void;
  /** Closes at once, dropping what is unsent. */
  destroy(): void;
}

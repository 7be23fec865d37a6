/** What a transport reports about one connection. Each connection calls onClose exactly once. */
export interface TransportHandlers {
  onOpen(): void;
  /** One whole comet.v1.Frame (without length prefix). */
  onFrame(bytes: Uint8Array): void;
  /** The connection ended: closed by either side or failed (`error` set). */
  onClose(reason: string, error?: Error): void;
}

export interface TransportConnection {
  /** Sends one encoded frame (the transport adds its framing). Ignored once closed. */
  send(frameBytes: Uint8Array): void;
  /** Closes the connection; onClose follows (once). */
  close(): void;
}

/**
 * Opens connections to the comet gateway. Endpoints are URLs: tcp://host:port and tls://host:port
 * (TcpTransport, Node only), ws://host:port/comet and wss://host/comet (WebSocketTransport).
 */
export interface Transport {
  readonly name: string;
  /** Whether this transport can reach the endpoint (by its URL scheme). */
  supports(endpoint: string): boolean;
  /** Starts connecting; failures are reported through handlers.onClose, never thrown. */
  connect(endpoint: string, handlers: TransportHandlers, options: { maxFrameBytes: number }): TransportConnection;
}

/** The scheme of an endpoint URL, lower case without the colon ('tcp', 'wss', ...), or undefined. */
export function endpointScheme(endpoint: string): string | undefined {
  return /^([a-z][a-z0-9+.-]*):\/\//i.exec(endpoint)?.[1]?.toLowerCase();
}

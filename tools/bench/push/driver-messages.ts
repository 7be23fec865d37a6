/** The IPC messages between the push benchmark (run.ts) and its connection drivers (driver.ts). */

export interface DriverConfig {
  /** For log lines only. */
  name: string;
  app: { appId: string; workspaceId: string; clientKey: string };
  /** Comet TCP ports on 127.0.0.1; connection i goes to ports[i % ports.length]. */
  ports: number[];
  /** Source addresses in 127.0.0.0/8, used round-robin (each has ~28k ephemeral ports toward one port). */
  sourceAddresses: string[];
  /** Handshakes in flight at once. */
  concurrency: number;
  /** Ack every pushMessage as it arrives (accept phase), or only when told (broadcast phase: acks must not disturb the timing). */
  ackAtOnce: boolean;
}

export type ToDriver =
  | { cmd: 'connect'; count: number; returnTokens: boolean }
  | { cmd: 'closeAllBut'; keep: number }
  /** Record the first pushMessage with this title per connection from now on. */
  | { cmd: 'expect'; title: string }
  | { cmd: 'report' }
  | { cmd: 'ack' };

export type FromDriver =
  | { kind: 'progress'; text: string }
  | { kind: 'connected'; open: number; failures: Record<string, number>; seconds: number; tokens: string[] }
  | { kind: 'closed'; open: number }
  /** Every open connection received the expected message. */
  | { kind: 'allReceived' }
  /** Receipt times of the expected message, epoch ms (performance.timeOrigin + performance.now()). */
  | { kind: 'report'; receivedAt: number[]; open: number; lostConnections: number }
  | { kind: 'acked'; count: number };

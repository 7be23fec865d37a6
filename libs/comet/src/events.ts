/** Connection lifecycle and client reports, published on the Bus as JSON on `comet.events.<kind>`. */
export type CometEventKind = 'connect' | 'disconnect' | 'bind' | 'unbind' | 'app-state' | 'vendor-token' | 'sync-ack' | 'push-ack' | 'push-report';

export interface CometEvent {
  kind: CometEventKind;
  instanceId: string;
  appId: string;
  workspaceId: string;
  deviceToken: string;
  node: string;
  connectionId: string;
  platform: string;
  appVersion: string;
  userId: string | null;
  /** The session id of the user binding (mss.md §4), when bound with one. */
  sessionId: string | null;
  /** Epoch ms the connection was opened. */
  since: number;
  /** Epoch ms. */
  at: number;
  /** Kind-specific details (disconnect reason, app state, ack fields, ...). */
  detail?: Record<string, string | number | boolean | null>;
  /** On connect: the sync points the client sent in its handshake. */
  syncPoints?: Array<{ bizType: string; key: string; oplogId: number }>;
}

export function eventSubject(kind: CometEventKind): string {
  return `comet.events.${kind}`;
}

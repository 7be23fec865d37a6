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
  userId: string | null;
  /** Epoch ms. */
  at: number;
  /** Kind-specific details (disconnect reason, app state, ack fields, ...). */
  detail?: Record<string, string | number | boolean | null>;
}

export function eventSubject(kind: CometEventKind): string {
  return `comet.events.${kind}`;
}

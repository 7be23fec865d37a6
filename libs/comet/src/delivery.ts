import { encodeFrame, type Frame } from '@pushsync/protocol';
import type { Bus } from '@pushsync/platform';
import type { Presence } from './presence';

/** The subject a gateway node consumes its deliveries from. */
export function nodeSubject(nodeId: string): string {
  return `comet.node.${nodeId}`;
}

/**
 * A delivery as published on `comet.node.<nodeId>`, binary so the frame is carried as the bytes
 * every connection gets (encoded once by the publisher, never re-encoded):
 *
 *   [4 bytes big-endian: header length N][N bytes: header, UTF-8 JSON][rest: one encoded comet.v1.Frame]
 *
 * header = { "v": 1, "instanceId": "<workspaceId_appId>", "tokens": ["<deviceToken>", ...] }.
 * The frame bytes carry no length prefix (the TCP transport adds it, WebSocket needs none).
 *
 * A control message of the same shape, { "v": 1, "instanceId", "tokens": [token], "kick": "<connectionId>" }
 * with no frame, tells a node that the device has connected elsewhere: the node closes that
 * connection (GoAway REPLACED) if it still holds it.
 */
export interface DeliveryHeader {
  v: 1;
  instanceId: string;
  tokens: string[];
  /** Present on a kick: the id of the connection to close. */
  kick?: string;
  /**
   * Present when the frame carries a push message: a connection gets each message once, whichever
   * path brings it first (the dispatcher, a broadcast shard, the resend at connect or bind, a replay).
   */
  messageId?: string;
}

export function encodeDelivery(header: DeliveryHeader, frame: Uint8Array): Uint8Array {
  const head = Buffer.from(JSON.stringify(header), 'utf8');
  const out = new Uint8Array(4 + head.length + frame.length);
  new DataView(out.buffer).setUint32(0, head.length, false);
  out.set(head, 4);
  out.set(frame, 4 + head.length);
  return out;
}

/** Throws on anything that is not a delivery of version 1. */
export function decodeDelivery(data: Uint8Array): { header: DeliveryHeader; frame: Uint8Array } {
  if (data.length < 4) throw new Error('delivery shorter than its header length');
  const length = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0, false);
  if (4 + length > data.length) throw new Error('delivery header runs past the message');
  const header = JSON.parse(Buffer.from(data.subarray(4, 4 + length)).toString('utf8')) as DeliveryHeader;
  if (header?.v !== 1 || typeof header.instanceId !== 'string' || !Array.isArray(header.tokens) || !header.tokens.every((t) => typeof t === 'string')) {
    throw new Error('not a version 1 delivery header');
  }
  if (header.kick !== undefined && typeof header.kick !== 'string') throw new Error('kick must name a connection id');
  if (header.messageId !== undefined && typeof header.messageId !== 'string') throw new Error('messageId must be a string');
  const frame = data.subarray(4 + length);
  if (frame.length === 0 && header.kick === undefined) throw new Error('delivery without a frame');
  return { header, frame };
}

export interface DeliveryReport {
  /** Published to the node holding the devices (their connection may still end before the write). */
  published: Array<{ node: string; tokens: string[] }>;
  /** No presence entry: the devices are not connected anywhere. */
  offline: string[];
  /** The presence lookup or the publish to a node failed: these devices were not reached. */
  failed: Array<{ node: string | null; tokens: string[]; error: string }>;
}

/**
 * Tokens in one node message: 5,000 tokens of 22 characters keep its header near 130 KB, well under
 * NATS's default 1 MB max_payload however large the fan-out.
 */
export const MAX_TOKENS_PER_DELIVERY = 5000;

/**
 * What other services (push-core, sync-core) use to reach connected devices: looks each token up
 * in presence and publishes one batch per node (STYLE 16), split into messages of at most
 * MAX_TOKENS_PER_DELIVERY tokens. A failure for one node does not stop the
 * others and is reported with its tokens, never skipped silently.
 */
export class CometDelivery {
  public constructor(
    private readonly bus: Bus,
    private readonly presence: Presence,
    private readonly options: { maxFrameBytes?: number; lookupConcurrency?: number } = {},
  ) {}

  public async deliverToDevices(instanceId: string, tokens: readonly string[], frame: Frame | Uint8Array): Promise<DeliveryReport> {
    const bytes = frame instanceof Uint8Array ? frame : encodeFrame(frame, { maxFrameBytes: this.options.maxFrameBytes });
    const report: DeliveryReport = { published: [], offline: [], failed: [] };
    const byNode = new Map<string, string[]>();
    const unique = [...new Set(tokens)];
    const concurrency = this.options.lookupConcurrency ?? 64;
    const lookupFailed: string[] = [];
    let lookupError = '';
    for (let i = 0; i < unique.length; i += concurrency) {
      const slice = unique.slice(i, i + concurrency);
      const found = await Promise.allSettled(slice.map((token) => this.presence.get(instanceId, token)));
      found.forEach((result, j) => {
        const token = slice[j]!;
        if (result.status === 'rejected') {
          lookupFailed.push(token);
          lookupError = String(result.reason instanceof Error ? result.reason.message : result.reason);
        } else if (result.value === null) report.offline.push(token);
        else {
          const list = byNode.get(result.value.node) ?? [];
          list.push(token);
          byNode.set(result.value.node, list);
        }
      });
    }
    if (lookupFailed.length > 0) report.failed.push({ node: null, tokens: lookupFailed, error: `presence lookup failed: ${lookupError}` });
    const batches = [...byNode].flatMap(([node, nodeTokens]) =>
      Array.from({ length: Math.ceil(nodeTokens.length / MAX_TOKENS_PER_DELIVERY) }, (_, i) => ({ node, tokens: nodeTokens.slice(i * MAX_TOKENS_PER_DELIVERY, (i + 1) * MAX_TOKENS_PER_DELIVERY) })),
    );
    await Promise.all(
      batches.map(async ({ node, tokens: batch }) => {
        try {
          await this.bus.publish(nodeSubject(node), encodeDelivery({ v: 1, instanceId, tokens: batch }, bytes));
          report.published.push({ node, tokens: batch });
        } catch (error) {
          report.failed.push({ node, tokens: batch, error: error instanceof Error ? error.message : String(error) });
        }
      }),
    );
    return report;
  }

  /**
   * Publishes a frame to devices known to be connected to `node` (no presence lookup); a device that
   * has left meanwhile is skipped there. `messageId` names the push message the frame carries.
   */
  public async sendToNode(instanceId: string, node: string, tokens: string[], frame: Uint8Array, messageId?: string): Promise<void> {
    await this.bus.publish(nodeSubject(node), encodeDelivery({ v: 1, instanceId, tokens, ...(messageId === undefined ? {} : { messageId }) }, frame));
  }

  /** Every connected device of a user (from the presence user entries). */
  public async deliverToUser(instanceId: string, userId: string, frame: Frame | Uint8Array): Promise<DeliveryReport> {
    return this.deliverToDevices(instanceId, await this.presence.devicesOfUser(instanceId, userId), frame);
  }
}

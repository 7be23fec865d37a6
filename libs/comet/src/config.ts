import type { SendQueueLimits } from './send-queue';

export interface CometConfig {
  /** This node's id: its deliveries arrive on `comet.node.<nodeId>`, its presence entries name it. */
  nodeId: string;
  /** Advertised to clients in the handshake ack. */
  heartbeatMs: number;
  /** A connection silent for heartbeatMs × idleFactor is closed. */
  idleFactor: number;
  /** The handshake must arrive within this time of the connection opening. */
  handshakeTimeoutMs: number;
  presenceTtlMs: number;
  maxFrameBytes: number;
  sendQueue: SendQueueLimits;
  /** Per remote address. */
  handshakeRate: { burst: number; perSecond: number };
  /** Hint in the handshake ack and in go-aways. */
  reconnectBackoffMs: number;
  /** How long a closing connection may take to flush its last frames before it is destroyed. */
  closeGraceMs: number;
  bucketCount: number;
}

export const DEFAULT_COMET_CONFIG: Omit<CometConfig, 'nodeId'> = {
  heartbeatMs: 30_000,
  idleFactor: 2.5,
  handshakeTimeoutMs: 10_000,
  presenceTtlMs: 90_000,
  maxFrameBytes: 64 * 1024,
  sendQueue: { maxFrames: 1024, maxBytes: 4 * 1024 * 1024 },
  handshakeRate: { burst: 100, perSecond: 50 },
  reconnectBackoffMs: 1_000,
  closeGraceMs: 1_000,
  bucketCount: 32,
};

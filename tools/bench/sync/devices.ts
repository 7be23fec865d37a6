/**
 * Raw comet devices for the sync benchmark (node:net + @pushsync/protocol, no SDK): handshake, pings,
 * and every SyncData batch handed to a callback and acknowledged at once with a SyncAck of the batch's
 * highest oplog id, as the SDK does after the app's callback (see apps/standalone/src/sync-delivery.e2e.ts).
 */
import { connect as connectTcp, type Socket } from 'node:net';
import { createFrame, decodeFrame, encodeFrame, FrameReader, lengthPrefixed, type FrameBody } from '@pushsync/protocol';

export interface DeviceApp {
  appId: string;
  workspaceId: string;
  clientKey: string;
}

export type SyncOps = Array<{ id: number; pl: string }>;
export type OnSync = (device: SyncDevice, bizType: string, ops: SyncOps) => void;

export class SyncDevice {
  public token = '';
  public open = false;
  private ping: NodeJS.Timeout | undefined;

  private constructor(private readonly socket: Socket) {}

  /** Connects and completes the handshake (with `deviceToken` to come back as a known device). */
  public static connect(port: number, app: DeviceApp, onSync: OnSync, deviceToken?: string): Promise<SyncDevice> {
    return new Promise((resolve, reject) => {
      const socket = connectTcp({ host: '127.0.0.1', port });
      socket.setNoDelay(true);
      const device = new SyncDevice(socket);
      const reader = new FrameReader({ maxFrameBytes: 16 * 1024 * 1024 });
      let settled = false;
      const handshake: Partial<FrameBody<'handshake'>> = { ...app, platform: 'ANDROID', osVersion: '14', appVersion: '1.0.0', sdkVersion: 'bench', manufacturer: 'bench' };
      if (deviceToken) handshake.deviceToken = deviceToken;
      socket.once('connect', () => device.write(createFrame('handshake', handshake)));
      socket.on('data', (chunk: Buffer) => {
        let frames: Uint8Array[];
        try {
          frames = reader.push(chunk);
        } catch (error) {
          socket.destroy(error as Error);
          return;
        }
        for (const bytes of frames) {
          const frame = decodeFrame(bytes);
          if (frame.syncData) {
            const data = frame.syncData;
            const ops = data.op.map((op) => ({ id: Number(op.id), pl: op.pl }));
            // Ack first (the engine's next batch waits for it), then count.
            let highest = 0;
            for (const op of ops) if (op.id > highest) highest = op.id;
            device.write(createFrame('syncAck', { bizType: data.bizType, key: data.key, oplogId: highest }));
            onSync(device, data.bizType, ops);
          } else if (frame.handshakeAck) {
            device.token = frame.handshakeAck.deviceToken;
            device.open = true;
            const every = Math.max(1000, (frame.handshakeAck.heartbeatIntervalMs || 30_000) * 0.8);
            device.ping = setInterval(() => device.write(createFrame('ping', { clientTimeMs: 0 })), every);
            device.ping.unref();
            settled = true;
            resolve(device);
          } else if (frame.error && !settled) {
            settled = true;
            reject(new Error(`handshake refused: ${JSON.stringify(frame.error)}`));
          }
        }
      });
      socket.on('error', (error) => {
        if (!settled) {
          settled = true;
          reject(error);
        }
      });
      socket.on('close', () => {
        device.open = false;
        if (device.ping) clearInterval(device.ping);
        if (!settled) {
          settled = true;
          reject(new Error('connection closed before the handshake ack'));
        }
      });
    });
  }

  /** connect(), again (up to `attempts` times, 500 ms apart) when the gateway refuses the handshake for now (UNAVAILABLE: "retry later"), as the SDK does. */
  public static async connectRetrying(port: number, app: DeviceApp, onSync: OnSync, deviceToken?: string, attempts = 10): Promise<SyncDevice> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await SyncDevice.connect(port, app, onSync, deviceToken);
      } catch (error) {
        if (attempt >= attempts || !String(error).includes('UNAVAILABLE')) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  public close(): Promise<void> {
    if (this.ping) clearInterval(this.ping);
    if (this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 1000).unref();
    });
  }

  private write(frame: ReturnType<typeof createFrame>): void {
    if (!this.socket.destroyed) this.socket.write(lengthPrefixed(encodeFrame(frame)));
  }
}

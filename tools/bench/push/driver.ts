/**
 * A connection driver of the push benchmark, forked by run.ts (commands over IPC, see
 * driver-messages.ts): holds thousands of raw comet connections (node:net + @pushsync/protocol, no
 * SDK) from 127.0.0.x source addresses, keeps them alive with pings and records when each received
 * the broadcast. Kept lean: it shares two cores with the server under test.
 */
import { connect as connectTcp, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createFrame, decodeFrame, encodeFrame, FrameReader, lengthPrefixed, type FrameBody } from '@pushsync/protocol';
import type { DriverConfig, FromDriver, ToDriver } from './driver-messages';

const config = JSON.parse(process.env.BENCH_PUSH_DRIVER ?? '{}') as DriverConfig;
const HANDSHAKE_ATTEMPTS = 20;

interface Connection {
  socket: Socket;
  token: string;
  open: boolean;
  /** Epoch ms at which the expected message arrived, 0 = not yet. */
  receivedAt: number;
  receivedMsgId: string;
}

const connections: Connection[] = [];
let heartbeatMs = 30_000;
let expectedTitle: string | undefined;
let receivedCount = 0;
let allReceivedSent = false;
let lostConnections = 0;

const epochNow = () => performance.timeOrigin + performance.now();

function send(message: FromDriver): void {
  process.send!(message);
}

function write(connection: Connection, frame: Parameters<typeof encodeFrame>[0]): void {
  if (connection.open) connection.socket.write(lengthPrefixed(encodeFrame(frame)));
}

function openCount(): number {
  let open = 0;
  for (const connection of connections) if (connection.open) open++;
  return open;
}

function checkAllReceived(): void {
  if (allReceivedSent || expectedTitle === undefined) return;
  if (receivedCount >= openCount()) {
    allReceivedSent = true;
    send({ kind: 'allReceived' });
  }
}

function onPush(connection: Connection, message: NonNullable<FrameBody<'pushMessage'>>): void {
  if (config.ackAtOnce) {
    write(connection, createFrame('pushAck', { msgId: message.msgId }));
    return;
  }
  if (expectedTitle === undefined || message.title !== expectedTitle || connection.receivedAt !== 0) return;
  connection.receivedAt = epochNow();
  connection.receivedMsgId = message.msgId;
  receivedCount++;
  checkAllReceived();
}

/** One connection through its handshake; rejects with the refusal code (e.g. UNAVAILABLE) or the socket error. */
function handshake(index: number): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const socket = connectTcp({ host: '127.0.0.1', port: config.ports[index % config.ports.length]!, localAddress: config.sourceAddresses[index % config.sourceAddresses.length] });
    socket.setNoDelay(true);
    const connection: Connection = { socket, token: '', open: false, receivedAt: 0, receivedMsgId: '' };
    const reader = new FrameReader({ maxFrameBytes: 1024 * 1024 });
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      if (error) {
        socket.destroy();
        reject(error);
      } else resolve(connection);
    };
    socket.once('connect', () => {
      const body: Partial<FrameBody<'handshake'>> = { ...config.app, platform: 'ANDROID', osVersion: '14', appVersion: '1.0.0', sdkVersion: 'bench', manufacturer: 'bench' };
      socket.write(lengthPrefixed(encodeFrame(createFrame('handshake', body))));
    });
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
        if (frame.pushMessage) onPush(connection, frame.pushMessage);
        else if (frame.handshakeAck) {
          connection.token = frame.handshakeAck.deviceToken;
          connection.open = true;
          if (frame.handshakeAck.heartbeatIntervalMs > 0) heartbeatMs = frame.handshakeAck.heartbeatIntervalMs;
          settle();
        } else if (frame.error && !settled) settle(new Error(frame.error.code || 'ERROR'));
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => settle(new Error(error.code ?? error.message)));
    socket.on('close', () => {
      if (connection.open) {
        connection.open = false;
        lostConnections++;
        checkAllReceived();
      }
      settle(new Error('CLOSED_BEFORE_ACK'));
    });
  });
}

async function connectMany(count: number, returnTokens: boolean): Promise<void> {
  const failures: Record<string, number> = {};
  const first = connections.length;
  const started = performance.now();
  let next = 0;
  let lastProgress = started;
  const worker = async () => {
    while (next < count) {
      const index = first + next++;
      for (let attempt = 1; ; attempt++) {
        try {
          connections.push(await handshake(index));
          break;
        } catch (error) {
          const code = (error as Error).message;
          failures[code] = (failures[code] ?? 0) + 1;
          if (attempt >= HANDSHAKE_ATTEMPTS) break;
          await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
        }
      }
      if (performance.now() - lastProgress > 5000) {
        lastProgress = performance.now();
        send({ kind: 'progress', text: `${connections.length - first}/${count} connected` });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(config.concurrency, count) }, worker));
  const seconds = (performance.now() - started) / 1000;
  send({ kind: 'connected', open: openCount(), failures, seconds, tokens: returnTokens ? connections.slice(first).map((c) => c.token) : [] });
}

/** One timer for every connection: each is pinged about every 0.8 heartbeat, spread evenly. */
function startPings(): void {
  let cursor = 0;
  const tickMs = 250;
  setInterval(() => {
    const perTick = Math.ceil((connections.length * tickMs) / (heartbeatMs * 0.8));
    for (let i = 0; i < perTick && connections.length > 0; i++) {
      cursor = (cursor + 1) % connections.length;
      write(connections[cursor]!, createFrame('ping', { clientTimeMs: 0 }));
    }
  }, tickMs);
}

process.on('message', (message: ToDriver) => {
  switch (message.cmd) {
    case 'connect':
      void connectMany(message.count, message.returnTokens);
      break;
    case 'closeAllBut':
      for (const connection of connections.splice(message.keep)) {
        connection.open = false;
        connection.socket.destroy();
      }
      send({ kind: 'closed', open: openCount() });
      break;
    case 'expect':
      expectedTitle = message.title;
      checkAllReceived();
      break;
    case 'report':
      send({ kind: 'report', receivedAt: connections.filter((c) => c.receivedAt > 0).map((c) => c.receivedAt), open: openCount(), lostConnections });
      break;
    case 'ack': {
      let count = 0;
      for (const connection of connections) {
        if (connection.receivedMsgId === '') continue;
        write(connection, createFrame('pushAck', { msgId: connection.receivedMsgId }));
        count++;
      }
      send({ kind: 'acked', count });
      break;
    }
  }
});

process.on('disconnect', () => process.exit(0));
startPings();

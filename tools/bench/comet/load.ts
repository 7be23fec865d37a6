/**
 * The load process of the comet benchmark (started by run.ts, commands over the IPC channel): opens
 * N raw TCP connections (net + @pushsync/protocol, no SDK) from several 127.0.0.x source addresses,
 * keeps them alive with pings, publishes deliveries straight on the gateway's node subject in the
 * documented format (encodeDelivery, no presence lookup, no HTTP in the measured path) and measures
 * receipt times. Publisher and receivers share one clock (performance.now of this process).
 */
import { connect as connectTcp, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { connect as connectNats, type NatsConnection } from 'nats';
import { encodeDelivery, nodeSubject } from '@pushsync/comet';
import { createFrame, decodeFrame, encodeFrame, FrameReader, lengthPrefixed } from '@pushsync/protocol';
import { percentile, round } from '../process-meter';
import type { ConnectResult, FanoutResult, FanoutRound, FromLoad, LoadConfig, ToLoad, UnicastResult } from './shared';

const config = JSON.parse(process.env.BENCH_LOAD_CONFIG ?? '{}') as LoadConfig;

interface Conn {
  socket: Socket;
  token: string;
  open: boolean;
}

const conns: Conn[] = [];
let alive = 0;
let heartbeatMs = 30_000;
let nats: NatsConnection | undefined;

// Receipt bookkeeping. msgId = "f<round>" for a fan-out, "u<seq>" for a unicast.
let fanout: { round: number; start: number; latencies: Float64Array; received: number; done: () => void } | undefined;
let unicastSentAt = new Float64Array(0);
let unicastLatencies = new Float64Array(0);
let unicastReceived = 0;
const closeReasons: Record<string, number> = {};

function send(message: FromLoad): void {
  process.send!(message);
}

function progress(text: string): void {
  send({ kind: 'progress', text });
}

function cpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

function onPush(msgId: string, now: number): void {
  if (msgId.charCodeAt(0) === 102 /* f */) {
    if (fanout && msgId === `f${fanout.round}`) {
      fanout.latencies[fanout.received++] = now - fanout.start;
      if (fanout.received === fanout.latencies.length) fanout.done();
    }
  } else if (msgId.charCodeAt(0) === 117 /* u */) {
    const seq = Number(msgId.slice(1));
    if (seq < unicastSentAt.length && unicastSentAt[seq]! > 0) {
      unicastLatencies[unicastReceived++] = now - unicastSentAt[seq]!;
      unicastSentAt[seq] = -1;
    }
  }
}

function varint(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  for (let i = at; i < bytes.length && i < at + 5; i++) {
    value += (bytes[i]! & 0x7f) * 2 ** shift;
    if (bytes[i]! < 0x80) return [value, i + 1];
    shift += 7;
  }
  return [-1, bytes.length];
}

/**
 * The msgId of a PushMessage frame without decoding it all (the receiver must stay cheap, it
 * shares the machine with the gateway): Frame.seq (field 1) absent or skipped, then
 * Frame.push_message (field 20, length-delimited: tag 0xA2 0x01) whose first field is msg_id (field 1:
 * tag 0x0A). Anything else: undefined, and the caller decodes the frame properly.
 */
function pushMsgId(bytes: Uint8Array): string | undefined {
  let at = 0;
  if (bytes[0] === 0x08) at = varint(bytes, 1)[1];
  if (bytes[at] !== 0xa2 || bytes[at + 1] !== 0x01) return undefined;
  at = varint(bytes, at + 2)[1];
  if (bytes[at] !== 0x0a) return undefined;
  const [length, start] = varint(bytes, at + 1);
  if (length < 0 || start + length > bytes.length) return undefined;
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, length).toString('latin1');
}

/** Opens one connection and completes its handshake; resolves with the connection or an error code. */
function openOne(localAddress: string): Promise<Conn | string> {
  return new Promise((resolve) => {
    const socket = connectTcp({ host: config.host, port: config.port, localAddress });
    socket.setNoDelay(true);
    const reader = new FrameReader({ maxFrameBytes: 1 << 20 });
    const conn: Conn = { socket, token: '', open: false };
    let settled = false;
    const settle = (value: Conn | string) => {
      if (settled) return;
      settled = true;
      resolve(value);
    };
    socket.once('connect', () => {
      socket.write(
        lengthPrefixed(
          encodeFrame(
            createFrame('handshake', {
              appId: config.appId,
              workspaceId: config.workspaceId,
              clientKey: config.clientKey,
              platform: 'ANDROID',
              osVersion: '14',
              appVersion: '1.0.0',
              sdkVersion: 'bench',
              manufacturer: 'bench',
            }),
          ),
        ),
      );
    });
    socket.on('data', (chunk: Buffer) => {
      let frames: Uint8Array[];
      try {
        frames = reader.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      const now = performance.now();
      for (const bytes of frames) {
        const msgId = pushMsgId(bytes);
        if (msgId !== undefined) {
          onPush(msgId, now);
          continue;
        }
        const frame = decodeFrame(bytes);
        if (frame.pushMessage) onPush(frame.pushMessage.msgId, now);
        else if (frame.handshakeAck) {
          conn.token = frame.handshakeAck.deviceToken;
          heartbeatMs = frame.handshakeAck.heartbeatIntervalMs || heartbeatMs;
          conn.open = true;
          alive++;
          settle(conn);
        } else if (frame.error) {
          const code = `ERROR_${frame.error.code}`;
          if (!conn.open) settle(code);
          else closeReasons[code] = (closeReasons[code] ?? 0) + 1;
        } else if (frame.goAway) {
          const reason = `GOAWAY_${frame.goAway.reason}`;
          closeReasons[reason] = (closeReasons[reason] ?? 0) + 1;
          if (!conn.open) settle(reason);
        }
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => settle(error.code ?? error.message));
    socket.on('close', () => {
      if (conn.open) {
        conn.open = false;
        alive--;
      }
      settle('CLOSED_BEFORE_ACK');
    });
  });
}

async function connectAll(): Promise<ConnectResult> {
  const failures: Record<string, number> = {};
  let next = 0;
  let failed = 0;
  const cpu0 = cpuSeconds();
  const start = performance.now();
  let lastReport = start;
  const worker = async () => {
    while (next < config.connections) {
      const index = next++;
      const result = await openOne(config.sources[index % config.sources.length]!);
      if (typeof result === 'string') {
        failed++;
        failures[result] = (failures[result] ?? 0) + 1;
      } else conns.push(result);
      const now = performance.now();
      if (now - lastReport > 2000) {
        lastReport = now;
        progress(`opened ${conns.length}/${config.connections} (${Math.round(conns.length / ((now - start) / 1000))}/s, ${failed} failed)`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(config.concurrency, config.connections) }, worker));
  const seconds = (performance.now() - start) / 1000;
  return { connected: conns.length, failed, failures, seconds: round(seconds, 3), perSecond: round(conns.length / seconds, 1), loadCpuSeconds: round(cpuSeconds() - cpu0, 2) };
}

/** Pings every connection about every 0.8 heartbeat, spread evenly (one timer for all). */
function startHeartbeats(): NodeJS.Timeout {
  const ping = lengthPrefixed(encodeFrame(createFrame('ping', { clientTimeMs: 0 })));
  const tickMs = 250;
  let cursor = 0;
  return setInterval(() => {
    if (conns.length === 0) return;
    const perTick = Math.ceil(conns.length / ((heartbeatMs * 0.8) / tickMs));
    for (let i = 0; i < perTick; i++) {
      const conn = conns[cursor++ % conns.length]!;
      if (conn.open) conn.socket.write(ping);
    }
  }, tickMs);
}

function pushBytes(msgId: string): Uint8Array {
  return encodeFrame(createFrame('pushMessage', { msgId, title: 'bench', content: 'x'.repeat(config.payloadBytes) }));
}

function instanceId(): string {
  return `${config.workspaceId}_${config.appId}`;
}

async function runFanout(rounds: number): Promise<FanoutResult> {
  const cpu0 = cpuSeconds();
  const results: FanoutRound[] = [];
  const subject = nodeSubject(config.nodeId);
  for (let r = 1; r <= rounds; r++) {
    const targets = conns.filter((c) => c.open).map((c) => c.token);
    const frame = pushBytes(`f${r}`);
    // Encoded before the clock starts: the publisher's cost is not the gateway's.
    const messages: Uint8Array[] = [];
    for (let i = 0; i < targets.length; i += config.fanoutBatch) {
      messages.push(encodeDelivery({ v: 1, instanceId: instanceId(), tokens: targets.slice(i, i + config.fanoutBatch) }, frame));
    }
    const state = { round: r, start: 0, latencies: new Float64Array(targets.length), received: 0, done: () => undefined as void };
    const finished = new Promise<void>((resolve) => (state.done = resolve));
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, 60_000).unref());
    fanout = state;
    state.start = performance.now();
    for (const message of messages) nats!.publish(subject, message);
    await Promise.race([finished, timeout]);
    const seconds = (performance.now() - state.start) / 1000;
    fanout = undefined;
    const got = state.latencies.subarray(0, state.received).sort();
    const lastMs = state.received > 0 ? got[got.length - 1]! : NaN;
    const round_: FanoutRound = {
      round: r,
      expected: targets.length,
      received: state.received,
      seconds: round(state.received === targets.length ? lastMs / 1000 : seconds, 3),
      deliveriesPerSecond: round(state.received / (state.received === targets.length ? lastMs / 1000 : seconds), 0),
      firstMs: round(got[0] ?? NaN, 1),
      p50Ms: round(percentile(got, 50), 1),
    };
    results.push(round_);
    progress(`fan-out round ${r}: ${round_.received}/${round_.expected} in ${round_.seconds} s = ${round_.deliveriesPerSecond}/s`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return { rounds: results, loadCpuSeconds: round(cpuSeconds() - cpu0, 2) };
}

async function runUnicast(rate: number, seconds: number): Promise<UnicastResult> {
  const total = Math.max(1, Math.round(rate * seconds));
  const targets = conns.filter((c) => c.open).map((c) => c.token);
  unicastSentAt = new Float64Array(total);
  unicastLatencies = new Float64Array(total);
  unicastReceived = 0;
  const subject = nodeSubject(config.nodeId);
  const padding = 'x'.repeat(config.payloadBytes);
  const id = instanceId();
  const cpu0 = cpuSeconds();
  let sent = 0;
  const start = performance.now();
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
      while (sent < due) {
        const seq = sent++;
        const frame = encodeFrame(createFrame('pushMessage', { msgId: `u${seq}`, title: 'bench', content: padding }));
        const message = encodeDelivery({ v: 1, instanceId: id, tokens: [targets[seq % targets.length]!] }, frame);
        unicastSentAt[seq] = performance.now();
        nats!.publish(subject, message);
      }
      if (sent >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  const sendSeconds = (performance.now() - start) / 1000;
  // Let the last ones arrive (at most 5 s).
  const deadline = performance.now() + 5000;
  while (unicastReceived < total && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  const got = unicastLatencies.subarray(0, unicastReceived).sort();
  return {
    targetRate: rate,
    seconds: round(sendSeconds, 2),
    sent,
    received: unicastReceived,
    lost: sent - unicastReceived,
    achievedRate: round(sent / sendSeconds, 0),
    p50Ms: round(percentile(got, 50), 2),
    p90Ms: round(percentile(got, 90), 2),
    p99Ms: round(percentile(got, 99), 2),
    maxMs: round(got.length > 0 ? got[got.length - 1]! : NaN, 2),
    loadCpuSeconds: round(cpuSeconds() - cpu0, 2),
  };
}

let heartbeats: NodeJS.Timeout | undefined;

process.on('message', (message: ToLoad) => {
  void (async () => {
    try {
      if (message.cmd === 'connect') {
        nats = await connectNats({ servers: config.natsUrl, name: 'comet-bench-load' });
        const result = await connectAll();
        heartbeats = startHeartbeats();
        send({ kind: 'connected', result });
      } else if (message.cmd === 'fanout') {
        send({ kind: 'fanout', result: await runFanout(message.rounds) });
      } else if (message.cmd === 'unicast') {
        send({ kind: 'unicast', result: await runUnicast(message.rate, message.seconds) });
      } else if (message.cmd === 'close') {
        if (heartbeats) clearInterval(heartbeats);
        const stillAlive = alive;
        if (Object.keys(closeReasons).length > 0) progress(`connections closed by the gateway during the run: ${JSON.stringify(closeReasons)}`);
        for (const conn of conns) conn.socket.destroy();
        await nats?.close();
        send({ kind: 'closed', alive: stillAlive });
        setTimeout(() => process.exit(0), 100);
      }
    } catch (error) {
      send({ kind: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
  })();
});
process.on('disconnect', () => process.exit(0));

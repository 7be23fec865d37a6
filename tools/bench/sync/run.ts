/**
 * `npm run bench:sync` (issue 4, item 8): Mobile Sync in cluster mode — api-gateway, sync-core,
 * comet-gateway and push-core as separate processes from dist/ on the real NATS, Kafka and
 * FerretDB of tools/infra (ClusterProcesses of @pushsync/testing: own database and topic prefix).
 * Three phases: orders accepted per second (API to durable), end-to-end latency at a fixed rate to
 * connected raw devices, catch-up of one offline device. Progress goes to stderr; the last line of
 * stdout is one JSON summary. Parameters: BENCH_* environment variables, see tools/bench/README.md.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import mongoose from 'mongoose';
import { instanceIdOf } from '@pushsync/tenancy';
import { AdminClient, ClusterProcesses, freePort, type ClusterService } from '@pushsync/testing';
import { CpuMeter, infraPids, loadInfraEnv, percentile, round } from '../process-meter';
import { SyncDevice, type DeviceApp, type OnSync, type SyncOps } from './devices';
import { SignedSender } from './sender';

const SERVICES: ClusterService[] = ['sync-core', 'push-core', 'comet-gateway', 'api-gateway'];

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name}=${raw}: expected a non-negative number`);
  return value;
}

const P = {
  phases: new Set((process.env.BENCH_PHASES ?? 'accept,e2e,catchup').split(',').map((s) => s.trim())),
  acceptConcurrency: intEnv('BENCH_ACCEPT_CONCURRENCY', 64),
  acceptOrders: intEnv('BENCH_ACCEPT_ORDERS', 20_000),
  acceptSeconds: intEnv('BENCH_ACCEPT_SECONDS', 20),
  acceptTokens: intEnv('BENCH_ACCEPT_TOKENS', 1000),
  acceptWarmup: intEnv('BENCH_ACCEPT_WARMUP', 500),
  payloadBytes: intEnv('BENCH_PAYLOAD_BYTES', 100),
  e2eDevices: intEnv('BENCH_E2E_DEVICES', 200),
  e2eRate: intEnv('BENCH_E2E_RATE', 1000),
  e2eSeconds: intEnv('BENCH_E2E_SECONDS', 15),
  e2eDrainSeconds: intEnv('BENCH_E2E_DRAIN_SECONDS', 60),
  e2eMaxInflight: intEnv('BENCH_E2E_MAX_INFLIGHT', 1000),
  catchUpOrders: intEnv('BENCH_CATCHUP_ORDERS', 10_000),
  catchUpSequenceTimeoutSeconds: intEnv('BENCH_CATCHUP_SEQUENCE_TIMEOUT_SECONDS', 300),
  catchUpTimeoutSeconds: intEnv('BENCH_CATCHUP_TIMEOUT_SECONDS', 180),
  rateLimit: intEnv('BENCH_RATE_LIMIT_PER_APP', 1_000_000),
};

const OWNER = `benchowner.${randomBytes(24).toString('base64url')}`;
const APP = { appId: 'bench-sync', workspaceId: 'wbench' };
const STAMP = Date.now().toString(36);

function log(text: string): void {
  process.stderr.write(`[bench:sync ${new Date().toISOString().slice(11, 19)}] ${text}\n`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The busiest processes of `top -b -n1` to stderr (what the README's bottleneck notes come from). */
function topSnapshot(label: string, names: Map<number, string>): void {
  execFile('top', ['-b', '-n1', '-w', '200'], { encoding: 'utf8' }, (error, out) => {
    if (error) return;
    const lines = out.split('\n');
    const header = lines.findIndex((line) => /^\s*PID\s/.test(line));
    if (header < 0) return;
    const rows = lines.slice(header + 1, header + 9).filter((line) => line.trim() !== '');
    const described = rows.map((row) => {
      const cols = row.trim().split(/\s+/);
      const pid = Number(cols[0]);
      return `${names.get(pid) ?? cols[cols.length - 1]}(${pid}) ${cols[8]}%`;
    });
    log(`top during ${label}: ${lines[2]?.trim() ?? ''} | ${described.join(', ')}`);
  });
}

// ---------------------------------------------------------------------------------------------

interface Context {
  sender: SignedSender;
  cometPort: number;
  app: DeviceApp;
  meter: CpuMeter;
  names: Map<number, string>;
  mongoUrl: string;
  /** Closed when the phase ends. */
  devices: SyncDevice[];
}

const padding = (n: number) => 'x'.repeat(n);

async function newConfig(ctx: Context, bizType: string, extra: Record<string, unknown> = {}): Promise<void> {
  const answer = await ctx.sender.post('/v1/sync/configs', { ...APP, bizType, description: 'bench', pushRange: 'SPECIFY', pushObject: 'DEVICE', persistent: true, ...extra });
  if (answer.status !== 201) throw new Error(`creating sync config ${bizType}: HTTP ${answer.status} ${answer.code}`);
}

function send(ctx: Context, body: Record<string, unknown>) {
  return ctx.sender.post('/v1/sync/single', { ...APP, ...body });
}

/** Phase 1: orders accepted per second by the API (SUCCESS = durable), many concurrent senders. */
async function acceptPhase(ctx: Context) {
  const bizType = 'BENCH-ACCEPT';
  await newConfig(ctx, bizType);
  const tokens = Array.from({ length: P.acceptTokens }, (_, i) => `benchdev${STAMP}${String(i).padStart(5, '0')}`);
  const payload = padding(P.payloadBytes);
  const codes: Record<string, number> = {};
  const run = async (prefix: string, limit: number, seconds: number, latencies: Float64Array | null) => {
    let next = 0;
    let success = 0;
    const deadline = performance.now() + seconds * 1000;
    const worker = async () => {
      while (next < limit && performance.now() < deadline) {
        const n = next++;
        const answer = await send(ctx, { bizType, linkToken: tokens[n % tokens.length], thirdMsgId: `${prefix}-${STAMP}-${n}`, payload });
        if (latencies) codes[answer.code] = (codes[answer.code] ?? 0) + 1;
        if (answer.code === 'SUCCESS') {
          if (latencies) latencies[success] = answer.ms;
          success++;
        }
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: P.acceptConcurrency }, worker));
    return { success, attempted: next, seconds: (performance.now() - started) / 1000 };
  };
  if (P.acceptWarmup > 0) {
    const warm = await run('warm', P.acceptWarmup, 60, null);
    log(`accept: warm-up ${warm.success}/${warm.attempted} SUCCESS in ${round(warm.seconds, 1)} s`);
  }
  const latencies = new Float64Array(P.acceptOrders);
  ctx.meter.begin();
  const progress = setInterval(() => topSnapshot('accept', ctx.names), Math.max(2000, (P.acceptSeconds * 1000) / 3));
  const result = await run('a', P.acceptOrders, P.acceptSeconds, latencies);
  clearInterval(progress);
  const cpu = ctx.meter.end();
  const sorted = latencies.subarray(0, result.success).sort();
  const summary = {
    concurrency: P.acceptConcurrency,
    linkTokens: P.acceptTokens,
    attempted: result.attempted,
    orders: result.success,
    seconds: round(result.seconds, 2),
    perSecond: round(result.success / result.seconds, 0),
    p50Ms: round(percentile(sorted, 50), 1),
    p99Ms: round(percentile(sorted, 99), 1),
    maxMs: round(sorted.length > 0 ? sorted[sorted.length - 1]! : NaN, 1),
    codes,
    cpu,
  };
  log(`accept: ${summary.orders} SUCCESS of ${summary.attempted} in ${summary.seconds} s = ${summary.perSecond}/s, p50 ${summary.p50Ms} ms, p99 ${summary.p99Ms} ms; codes ${JSON.stringify(codes)}`);
  log(`accept: CPU seconds ${JSON.stringify(cpu.cpuSeconds)} over ${cpu.wallSeconds} s`);
  return summary;
}

/** Phase 2: end-to-end latency, paced sender to random connected devices, payload = "<seq>|<Date.now() at send>". */
async function endToEndPhase(ctx: Context) {
  const devices = ctx.devices;
  const onSync = { handler: (() => undefined) as OnSync };
  const bizType = 'BENCH-E2E';
  await newConfig(ctx, bizType);
  log(`e2e: connecting ${P.e2eDevices} devices`);
  const ignore: OnSync = () => undefined;
  onSync.handler = ignore;
  for (let i = 0; i < P.e2eDevices; i += 20) {
    const batch = await Promise.all(Array.from({ length: Math.min(20, P.e2eDevices - i) }, () => SyncDevice.connectRetrying(ctx.cometPort, ctx.app, (d, b, ops) => onSync.handler(d, b, ops))));
    devices.push(...batch);
  }
  // Warm-up: one order per device, all must arrive (also proves sync-core knows they are connected).
  const warmSeen = new Set<string>();
  onSync.handler = (_device, biz, ops) => {
    if (biz === bizType) for (const op of ops) if (op.pl.startsWith('w|')) warmSeen.add(op.pl);
  };
  const warmStart = performance.now();
  await Promise.all(devices.map((device, i) => send(ctx, { bizType, linkToken: device.token, thirdMsgId: `w-${STAMP}-${i}`, payload: `w|${i}` })));
  while (warmSeen.size < devices.length && performance.now() - warmStart < 30_000) await sleep(50);
  log(`e2e: warm-up ${warmSeen.size}/${devices.length} devices received their first order in ${round((performance.now() - warmStart) / 1000, 2)} s`);

  const total = Math.max(1, Math.round(P.e2eRate * P.e2eSeconds));
  const latencies = new Float64Array(total);
  const got = new Uint8Array(total);
  const accepted = new Uint8Array(total);
  const codes: Record<string, number> = {};
  let received = 0;
  let duplicates = 0;
  let lastReceiptAt = 0;
  onSync.handler = (_device, biz, ops: SyncOps) => {
    if (biz !== bizType) return;
    const now = Date.now();
    for (const op of ops) {
      const bar = op.pl.indexOf('|');
      if (op.pl[0] === 'w') continue;
      const seq = Number(op.pl.slice(0, bar));
      if (got[seq]) {
        duplicates++;
        continue;
      }
      got[seq] = 1;
      latencies[received++] = now - Number(op.pl.slice(bar + 1));
      lastReceiptAt = now;
    }
  };
  let sent = 0;
  let skipped = 0;
  let inflight = 0;
  let maxInflight = 0;
  const pending: Array<Promise<void>> = [];
  ctx.meter.begin();
  const snap = setTimeout(() => topSnapshot('e2e', ctx.names), (P.e2eSeconds * 1000) / 2);
  const start = performance.now();
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * P.e2eRate));
      while (sent + skipped < due) {
        // An API that does not keep up: orders past the in-flight cap are not sent (counted), so the phase stays bounded.
        if (inflight >= P.e2eMaxInflight) {
          skipped++;
          continue;
        }
        const seq = sent++;
        const device = devices[Math.floor(Math.random() * devices.length)]!;
        inflight++;
        if (inflight > maxInflight) maxInflight = inflight;
        pending.push(
          send(ctx, { bizType, linkToken: device.token, thirdMsgId: `e-${STAMP}-${seq}`, payload: `${seq}|${Date.now()}` }).then((answer) => {
            inflight--;
            codes[answer.code] = (codes[answer.code] ?? 0) + 1;
            if (answer.code === 'SUCCESS') accepted[seq] = 1;
          }),
        );
      }
      if (sent + skipped >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  const sendSeconds = (performance.now() - start) / 1000;
  await Promise.all(pending);
  clearTimeout(snap);
  let acceptedCount = 0;
  for (let i = 0; i < total; i++) acceptedCount += accepted[i]!;
  const drainDeadline = performance.now() + P.e2eDrainSeconds * 1000;
  while (received < acceptedCount && performance.now() < drainDeadline) await sleep(20);
  const cpu = ctx.meter.end();
  const sorted = latencies.subarray(0, received).sort();
  const summary = {
    rate: P.e2eRate,
    devices: devices.length,
    seconds: round(sendSeconds, 2),
    achievedRate: round(sent / sendSeconds, 0),
    sent,
    skippedOverInflightCap: skipped,
    accepted: acceptedCount,
    received,
    missing: acceptedCount - received,
    duplicates,
    p50Ms: round(percentile(sorted, 50), 1),
    p90Ms: round(percentile(sorted, 90), 1),
    p99Ms: round(percentile(sorted, 99), 1),
    maxMs: round(sorted.length > 0 ? sorted[sorted.length - 1]! : NaN, 1),
    maxInflightRequests: maxInflight,
    lastReceiptAfterLastSendMs: lastReceiptAt > 0 ? round(lastReceiptAt - (performance.timeOrigin + start + sendSeconds * 1000), 0) : NaN,
    codes,
    cpu,
  };
  log(`e2e: sent ${sent} (${summary.achievedRate}/s, ${skipped} not sent: over ${P.e2eMaxInflight} in flight), accepted ${acceptedCount}, received ${received} (${duplicates} duplicates); latency p50 ${summary.p50Ms} / p90 ${summary.p90Ms} / p99 ${summary.p99Ms} / max ${summary.maxMs} ms; codes ${JSON.stringify(codes)}`);
  log(`e2e: CPU seconds ${JSON.stringify(cpu.cpuSeconds)} over ${cpu.wallSeconds} s`);
  onSync.handler = ignore;
  return summary;
}

/**
 * The last oplog id sequencer has recorded for a channel (sync_channel_counters, read by _id: cheap
 * for the store, unlike counting oplogs). The counter is written after each consumed batch.
 */
async function lastSequencedId(connection: mongoose.Connection, bizType: string, key: string): Promise<number> {
  const id = JSON.stringify([instanceIdOf(APP.workspaceId, APP.appId), bizType, key]); // channelId() of @pushsync/sync
  const counter = await connection.db!.collection<{ _id: string; last?: number }>('sync_channel_counters').findOne({ _id: id });
  return counter?.last ?? 0;
}

/** Phase 3: one offline device is owed N oplogs; time from its connect until all arrived. */
async function catchUpPhase(ctx: Context) {
  const devices = ctx.devices;
  const onSync = { handler: (() => undefined) as OnSync };
  const bizType = 'BENCH-CATCHUP';
  const n = P.catchUpOrders;
  await newConfig(ctx, bizType, { threshold: n });
  // A known device: handshake once (the gateway registers it), then go offline.
  const first = await SyncDevice.connectRetrying(ctx.cometPort, ctx.app, () => undefined);
  const token = first.token;
  await first.close();
  await sleep(3000);
  log(`catch-up: device ${token} offline; enqueuing ${n} orders`);
  const payload = padding(P.payloadBytes);
  const codes: Record<string, number> = {};
  let next = 0;
  let success = 0;
  const enqueueStart = performance.now();
  const worker = async () => {
    while (next < n) {
      const i = next++;
      for (let attempt = 0; ; attempt++) {
        const answer = await send(ctx, { bizType, linkToken: token, thirdMsgId: `c-${STAMP}-${i}`, payload: `${i}|${payload}` });
        codes[answer.code] = (codes[answer.code] ?? 0) + 1;
        if (answer.code === 'SUCCESS' || answer.code === 'DUPLICATED_BIZ_ID') {
          success++;
          break;
        }
        // Idempotent by thirdMsgId: a refused order (SYSTEM_ERROR under load) is sent again, as a tenant would.
        if (attempt >= 20) throw new Error(`catch-up order ${i} refused 21 times, last: ${answer.code}`);
        await sleep(500);
      }
    }
  };
  await Promise.all(Array.from({ length: P.acceptConcurrency }, worker));
  const enqueueSeconds = (performance.now() - enqueueStart) / 1000;
  log(`catch-up: ${success} accepted in ${round(enqueueSeconds, 2)} s (${round(success / enqueueSeconds, 0)}/s); codes ${JSON.stringify(codes)}`);
  // Wait until sync-core has sequenced them all (stored oplogs), so the phase measures delivery only.
  const connection = await mongoose.createConnection(ctx.mongoUrl, { serverSelectionTimeoutMS: 5000 }).asPromise();
  let stored = 0;
  const seqStart = performance.now();
  try {
    const deadline = performance.now() + P.catchUpSequenceTimeoutSeconds * 1000;
    let lastReport = performance.now();
    while ((stored = await lastSequencedId(connection, bizType, token)) < n && performance.now() < deadline) {
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        log(`catch-up: ${stored}/${n} sequenced so far`);
      }
      await sleep(1000);
    }
  } finally {
    await connection.close();
  }
  const sequencedAfterAcceptSeconds = round((performance.now() - seqStart) / 1000, 2);
  log(`catch-up: ${stored}/${n} oplogs sequenced ${sequencedAfterAcceptSeconds} s after the last accept`);

  const seen = new Uint8Array(n + 2);
  let distinct = 0;
  let batches = 0;
  let firstBatchAt = 0;
  let doneAt = 0;
  let finished: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finished = resolve));
  onSync.handler = (_device, biz, ops) => {
    if (biz !== bizType) return;
    batches++;
    const now = performance.now();
    if (firstBatchAt === 0) firstBatchAt = now;
    for (const op of ops) {
      if (op.id >= 1 && op.id <= n && !seen[op.id]) {
        seen[op.id] = 1;
        distinct++;
      }
    }
    if (distinct >= n && doneAt === 0) {
      doneAt = now;
      finished();
    }
  };
  ctx.meter.begin();
  const snap = setTimeout(() => topSnapshot('catch-up', ctx.names), 1000);
  const start = performance.now();
  const device = await SyncDevice.connectRetrying(ctx.cometPort, ctx.app, (d, b, ops) => onSync.handler(d, b, ops), token);
  devices.push(device);
  await Promise.race([done, sleep(P.catchUpTimeoutSeconds * 1000)]);
  clearTimeout(snap);
  const cpu = ctx.meter.end();
  const seconds = ((doneAt || performance.now()) - start) / 1000;
  const summary = {
    oplogs: n,
    received: distinct,
    batches,
    seconds: round(seconds, 3),
    perSecond: round(distinct / seconds, 0),
    firstBatchMs: firstBatchAt > 0 ? round(firstBatchAt - start, 1) : NaN,
    enqueue: { seconds: round(enqueueSeconds, 2), perSecond: round(success / enqueueSeconds, 0), sequencedBeforeConnect: stored, sequencedAfterAcceptSeconds },
    cpu,
  };
  log(`catch-up: ${distinct}/${n} oplogs in ${batches} batches, ${summary.seconds} s = ${summary.perSecond}/s (first batch after ${summary.firstBatchMs} ms)`);
  log(`catch-up: CPU seconds ${JSON.stringify(cpu.cpuSeconds)} over ${cpu.wallSeconds} s`);
  onSync.handler = () => undefined;
  return summary;
}

/**
 * Runs one phase on a fresh cluster (its own database and Kafka topics): what one phase leaves
 * behind (orders still being sequenced, deliveries pending) must not be measured by the next.
 * Stops every process and removes its topics and database at the end, also on failure.
 */
async function onFreshCluster<T>(phase: string, result: Record<string, unknown>, body: (ctx: Context) => Promise<T>): Promise<T | undefined> {
  const cometPort = await freePort();
  const cluster = new ClusterProcesses(`benchsync${phase}`, OWNER, {
    COMET_TCP_PORT: String(cometPort),
    // The devices all connect from 127.0.0.1: the gateway's per-address handshake limit would refuse most of them.
    COMET_HANDSHAKE_BURST: '1000000',
    COMET_HANDSHAKE_PER_SECOND: '1000000',
    RATE_LIMIT_PER_APP: String(P.rateLimit),
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
  });
  // The cluster's database (ClusterProcesses keeps it private): read by the catch-up phase, dropped at the end.
  const mongoUrl = (cluster as unknown as { mongoUrl: string }).mongoUrl;
  const devices: SyncDevice[] = [];
  let sender: SignedSender | undefined;
  try {
    log(`${phase}: starting ${SERVICES.join(', ')} (database ${mongoUrl.slice(mongoUrl.lastIndexOf('/') + 1)})`);
    await cluster.start(SERVICES);
    const names = new Map<number, string>();
    const pids: Record<string, number | number[]> = {};
    for (const service of SERVICES) {
      // ServiceProcess keeps its child private; the bench only reads its pid for /proc.
      const pid = (cluster.process(service) as unknown as { child?: ChildProcess }).child?.pid;
      if (pid) {
        pids[service] = pid;
        names.set(pid, service);
      }
    }
    for (const [name, infra] of Object.entries(infraPids())) {
      pids[name] = infra;
      for (const pid of infra) names.set(pid, name);
    }
    names.set(process.pid, 'bench');
    const gateway = cluster.baseUrl('api-gateway');
    const admin = new AdminClient(gateway, OWNER);
    const created = await admin.newTenant(APP.appId, APP.workspaceId);
    const clientKey = (await admin.call<{ clientKey: string }>('GET', `/admin/v1/apps/${APP.workspaceId}_${APP.appId}`)).body.clientKey;
    sender = new SignedSender(gateway, created.accessKeyId, created.accessKeySecret, P.acceptConcurrency);
    log(`${phase}: cluster up: ${JSON.stringify(pids)}`);
    return await body({ sender, cometPort, app: { ...APP, clientKey }, meter: new CpuMeter(pids), names, mongoUrl, devices });
  } catch (error) {
    result.failed = true;
    result.error = `${phase}: ${error instanceof Error ? error.message : String(error)}`;
    log(`${phase} FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    for (const service of SERVICES) {
      try {
        log(`${phase}: ${service} output (last 3000 chars):\n${cluster.process(service).stdout.slice(-3000)}`);
      } catch {
        // not started
      }
    }
    return undefined;
  } finally {
    // A service that ended during the phase: its exit and the end of its output.
    for (const service of SERVICES) {
      try {
        const child = (cluster.process(service) as unknown as { child?: ChildProcess }).child;
        if (child && (child.exitCode !== null || child.signalCode !== null)) {
          result.failed = true;
          result.exited = { ...(result.exited as object), [`${phase}/${service}`]: child.exitCode ?? child.signalCode };
          log(`${phase}: ${service} exited (${child.exitCode ?? child.signalCode}); its output (last 4000 chars):\n${cluster.process(service).stdout.slice(-4000)}`);
        } else if (process.env.BENCH_SHOW_LOGS === '1') {
          log(`${phase}: ${service} output (last 4000 chars):\n${cluster.process(service).stdout.slice(-4000)}`);
        }
      } catch {
        // not started
      }
    }
    await Promise.all(devices.map((device) => device.close()));
    sender?.close();
    log(`${phase}: stopping the cluster`);
    await cluster.dispose({ keepDatabase: process.env.BENCH_KEEP_DATABASE === '1' });
  }
}

async function main(): Promise<void> {
  loadInfraEnv();
  const result: Record<string, unknown> = { bench: 'sync', mode: 'cluster' };
  if (P.phases.has('accept')) result.accepted = await onFreshCluster('accept', result, (ctx) => acceptPhase(ctx));
  if (P.phases.has('e2e')) result.endToEnd = await onFreshCluster('e2e', result, (ctx) => endToEndPhase(ctx));
  if (P.phases.has('catchup')) result.catchUp = await onFreshCluster('catchup', result, (ctx) => catchUpPhase(ctx));
  const accepted = result.accepted as { perSecond: number } | undefined;
  const e2e = result.endToEnd as { p99Ms: number; accepted: number; received: number; sent: number; skippedOverInflightCap: number } | undefined;
  const catchUp = result.catchUp as { perSecond: number; received: number; oplogs: number } | undefined;
  result.goals = {
    acceptedPerSecondAtLeast5000: accepted ? accepted.perSecond >= 5000 : null,
    endToEndP99AtMost100MsAllArrived: e2e ? e2e.p99Ms <= 100 && e2e.skippedOverInflightCap === 0 && e2e.accepted === e2e.sent && e2e.received === e2e.sent : null,
    catchUpAtLeast20000PerSecond: catchUp ? catchUp.perSecond >= 20_000 && catchUp.received === catchUp.oplogs : null,
  };
  result.machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '', node: process.version };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exitCode = result.failed ? 1 : 0;
}

void main().then(
  () => setTimeout(() => process.exit(process.exitCode ?? 0), 200).unref(),
  (error: unknown) => {
    log(`fatal: ${String(error)}`);
    process.exit(1);
  },
);

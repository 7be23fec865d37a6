/**
 * `npm run bench:comet` (issue 3, item 7): one comet-gateway process in cluster mode (real NATS,
 * Kafka, MongoDB/FerretDB from tools/infra) and a separate load process (load.ts) that opens N
 * connections from several 127.0.0.x source addresses and measures connections/s, RSS and V8 heap
 * per idle connection on the gateway, fan-out deliveries/s and unicast latency at a fixed rate.
 * Progress goes to stderr; the last line of stdout is one JSON summary. See tools/bench/README.md.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { connect as connectNats } from 'nats';
import { MongoStore } from '@pushsync/platform';
import { instanceIdOf, TenantAppRepository } from '@pushsync/tenancy';
import { CpuMeter, infraEnv, infraPids, round } from '../process-meter';
import { parseArgs, UsageError, USAGE, type BenchOptions, type ConnectResult, type FanoutResult, type FromLoad, type LoadConfig, type ToLoad, type UnicastResult } from './shared';

const ROOT = join(__dirname, '..', '..', '..');
const GATEWAY_MAIN = join(ROOT, 'dist/apps/comet-gateway/src/main.js');
/** File descriptors a process needs besides its connections (listeners, NATS, Kafka, Mongo, node internals). */
const FD_MARGIN = 512;

function log(text: string): void {
  process.stderr.write(`[bench:comet ${new Date().toISOString().slice(11, 19)}] ${text}\n`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function hardFileLimit(): number {
  const out = execFileSync('bash', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim();
  return out === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(out);
}

/** Spawns `node args...` under `ulimit -n <limit>` (exec keeps the pid, so /proc/<pid> is node's). */
function spawnNode(nodeArgs: string[], env: NodeJS.ProcessEnv, fileLimit: number, output: 'ipc' | number): ChildProcess {
  return spawn('bash', ['-c', `ulimit -n ${fileLimit} && exec "$0" "$@"`, process.execPath, ...nodeArgs], {
    cwd: ROOT,
    env,
    stdio: output === 'ipc' ? ['ignore', 'inherit', 'inherit', 'ipc'] : ['ignore', output, output],
  });
}

function tail(path: string, bytes = 4000): string {
  try {
    const text = readFileSync(path, 'utf8');
    return text.slice(-bytes);
  } catch {
    return '';
  }
}

function rssBytesOf(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : NaN;
}

async function scrape(httpPort: number): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const values: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    // name{labels} value: summed by name (the service adds a default label to every series).
    const match = /^([A-Za-z_:][\w:]*)(\{.*\})?\s+(\S+)$/.exec(line);
    if (match) values[match[1]!] = (values[match[1]!] ?? 0) + Number(match[3]);
  }
  return values;
}

interface MemorySample {
  rssBytes: number;
  heapUsedBytes: number;
}

/** Full GC in the gateway (SIGUSR2, see gc-on-signal.js), then RSS and heap; the lowest of a few samples. */
async function settledMemory(pid: number, httpPort: number, samples = 3): Promise<MemorySample> {
  let best: MemorySample = { rssBytes: Infinity, heapUsedBytes: Infinity };
  for (let i = 0; i < samples; i++) {
    process.kill(pid, 'SIGUSR2');
    await sleep(1500);
    const metrics = await scrape(httpPort);
    const sample = { rssBytes: rssBytesOf(pid), heapUsedBytes: metrics.nodejs_heap_size_used_bytes ?? NaN };
    best = { rssBytes: Math.min(best.rssBytes, sample.rssBytes), heapUsedBytes: Math.min(best.heapUsedBytes, sample.heapUsedBytes) };
  }
  return best;
}

/** CPU seconds of the gateway and the infrastructure over one phase, and the gateway's event-loop lag then. */
class PhaseMeter {
  private readonly start: number;
  private readonly cpu: CpuMeter;

  public constructor(
    pids: Record<string, number | number[]>,
    private readonly httpPort: number,
  ) {
    this.start = performance.now();
    this.cpu = new CpuMeter(pids, { self: false });
    this.cpu.begin();
  }

  public async finish(): Promise<{ wallSeconds: number; cpuSeconds: Record<string, number>; gatewayCpuShare: number; gatewayLoopLagP99Ms: number; gatewayLoopLagMaxMs: number }> {
    const wallSeconds = (performance.now() - this.start) / 1000;
    const { cpuSeconds } = this.cpu.end();
    const metrics = await scrape(this.httpPort).catch(() => ({}) as Record<string, number>);
    return {
      wallSeconds: round(wallSeconds, 2),
      cpuSeconds,
      gatewayCpuShare: round((cpuSeconds.gateway ?? NaN) / wallSeconds, 2),
      gatewayLoopLagP99Ms: round((metrics.nodejs_eventloop_lag_p99_seconds ?? NaN) * 1000, 1),
      gatewayLoopLagMaxMs: round((metrics.nodejs_eventloop_lag_max_seconds ?? NaN) * 1000, 1),
    };
  }
}

async function createApp(mongoUrl: string, appId: string, workspaceId: string): Promise<string> {
  const store = new MongoStore(mongoUrl);
  try {
    const apps = await TenantAppRepository.open(store);
    const clientKey = randomBytes(24).toString('base64url');
    const now = Date.now();
    await apps.insert({
      _id: instanceIdOf(workspaceId, appId),
      appId,
      workspaceId,
      name: 'comet benchmark',
      status: 'active',
      apiEnabled: true,
      signatureEnabled: true,
      clientKey,
      rsaPublicKey: null,
      timeZone: '+08:00',
      retentionDays: 1,
      createdAt: now,
      updatedAt: now,
    });
    return clientKey;
  } finally {
    await store.close();
  }
}

async function dropEverything(mongoUrl: string, natsUrl: string, bucket: string): Promise<void> {
  const connection = await mongoose.createConnection(mongoUrl, { serverSelectionTimeoutMS: 5000 }).asPromise();
  try {
    await connection.dropDatabase();
  } finally {
    await connection.close();
  }
  const nc = await connectNats({ servers: natsUrl, name: 'comet-bench-cleanup' });
  try {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(`KV_${bucket}`).catch(() => undefined);
  } finally {
    await nc.close();
  }
}

function exitCodeOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** The load process as request/answer over its IPC channel. */
class LoadProcess {
  private waiter: ((message: FromLoad) => void) | undefined;
  private rejecter: ((error: Error) => void) | undefined;
  private failure: Error | undefined;

  public constructor(public readonly child: ChildProcess) {
    child.on('message', (message: FromLoad) => {
      if (message.kind === 'progress') log(`load: ${message.text}`);
      else if (message.kind === 'error') this.fail(new Error(`load process: ${message.message}`));
      else this.waiter?.(message);
    });
    child.once('exit', (code, signal) => this.fail(new Error(`load process exited (code ${code}, signal ${signal})`)));
  }

  public ask<K extends FromLoad['kind']>(command: ToLoad, kind: K): Promise<Extract<FromLoad, { kind: K }>> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiter = (message) => {
        if (message.kind === kind) {
          this.waiter = undefined;
          resolve(message as Extract<FromLoad, { kind: K }>);
        }
      };
      this.rejecter = reject;
      this.child.send(command);
    });
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.rejecter?.(error);
  }
}

async function main(): Promise<void> {
  let options: BenchOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message ? `${error.message}\n\n` : ''}${USAGE}\n`);
      process.exit(error.message ? 2 : 0);
    }
    throw error;
  }

  const hardLimit = hardFileLimit();
  const needed = options.connections + FD_MARGIN;
  if (hardLimit < needed) {
    process.stderr.write(
      `bench:comet: ${options.connections} connections need about ${needed} open files in the gateway and in the load process, ` +
        `but the hard limit here is ${hardLimit} (ulimit -Hn) and only root with CAP_SYS_RESOURCE can raise it ` +
        `(e.g. LimitNOFILE= for a systemd unit, --ulimit nofile= for a container, /etc/security/limits.conf). ` +
        `On this machine run at most --connections ${Math.max(0, hardLimit - FD_MARGIN)}.\n`,
    );
    process.exit(2);
  }
  const fileLimit = Math.min(hardLimit, Math.max(needed, 65_536));
  if (!existsSync(GATEWAY_MAIN)) throw new Error(`${GATEWAY_MAIN} is missing: run npm run build first`);

  const infra = infraEnv();
  const stamp = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const mongoUrl = infra.mongoUrl.replace(/\/[^/?]*(\?.*)?$/, `/bench_comet_${stamp}$1`);
  const bucket = `bench_presence_${stamp}`;
  const nodeId = `bench-comet-${stamp}`;
  const appId = 'bench-app';
  const workspaceId = 'benchws';
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-comet-'));
  const [httpPort, tcpPort] = [await freePort(), await freePort()];
  const sources = Array.from({ length: options.sources }, (_, i) => `127.0.0.${i + 2}`);

  log(`cores ${cpus().length}, node ${process.version}, open-file limit ${fileLimit}; ${options.connections} connections from ${sources.join(', ')}`);
  log(`creating the app in ${mongoUrl.replace(/\/\/[^@]*@/, '//')}`);
  const clientKey = await createApp(mongoUrl, appId, workspaceId);

  const gatewayEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '',
    LOG_LEVEL: 'warn',
    PUSHSYNC_MODE: 'cluster',
    PUSHSYNC_DATA_DIR: dataDir,
    NATS_URL: infra.natsUrl,
    KAFKA_BROKERS: infra.kafkaBrokers,
    MONGO_URL: mongoUrl,
    NODE_ID: nodeId,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(httpPort),
    COMET_HOST: '127.0.0.1',
    COMET_TCP_PORT: String(tcpPort),
    COMET_TLS_PORT: '0',
    COMET_PRESENCE_BUCKET: bucket,
    // The limiter is per remote address; the bench connects from only a few.
    COMET_HANDSHAKE_BURST: '1000000',
    COMET_HANDSHAKE_PER_SECOND: '1000000',
  };
  // BENCH_GATEWAY_CPU_PROF=<dir>: the gateway writes a V8 CPU profile there when it stops (open it in Chrome DevTools).
  const profile = process.env.BENCH_GATEWAY_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_GATEWAY_CPU_PROF] : [];
  // The gateway logs to a file (LOG_LEVEL=warn), not a pipe: nothing in this process can slow its writes.
  const gatewayLog = join(tmpdir(), `bench-comet-${stamp}.gateway.log`);
  const logFd = openSync(gatewayLog, 'w');
  const gateway = spawnNode([...profile, '--expose-gc', '-r', join(ROOT, 'tools/runtime/register.js'), '-r', join(__dirname, 'gc-on-signal.js'), GATEWAY_MAIN], gatewayEnv, fileLimit, logFd);
  closeSync(logFd);
  log(`gateway log: ${gatewayLog}`);
  const gatewayPid = gateway.pid!;
  let load: LoadProcess | undefined;

  const cleanup = async () => {
    if (load && load.child.exitCode === null) load.child.kill('SIGKILL');
    if (options.keep) {
      log(`--keep: gateway pid ${gatewayPid} left running (http 127.0.0.1:${httpPort}, tcp ${tcpPort}, MONGO_URL ${mongoUrl}, bucket ${bucket}); stop it with kill ${gatewayPid}`);
      return;
    }
    if (gateway.exitCode === null && gateway.signalCode === null) {
      gateway.kill('SIGTERM');
      const stopped = await Promise.race([exitCodeOf(gateway).then(() => true), sleep(30_000).then(() => false)]);
      if (!stopped) gateway.kill('SIGKILL');
    }
    await dropEverything(mongoUrl, infra.natsUrl, bucket).catch((error: unknown) => log(`cleanup of the bench database/bucket failed: ${String(error)}`));
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));

  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (gateway.exitCode !== null) throw new Error(`the gateway exited with ${gateway.exitCode}\n${tail(gatewayLog)}`);
      if (Date.now() > deadline) throw new Error(`the gateway was not ready within 60 s\n${tail(gatewayLog)}`);
      const ready = await fetch(`http://127.0.0.1:${httpPort}/readyz`).then((r) => r.status === 200, () => false);
      if (ready) break;
      await sleep(250);
    }
    const pids: Record<string, number | number[]> = { gateway: gatewayPid, ...infraPids() };
    log(`gateway ready (pid ${gatewayPid}, node ${nodeId}); infrastructure pids ${JSON.stringify(pids)}`);
    await sleep(2000);
    const before = await settledMemory(gatewayPid, httpPort);
    log(`gateway before: RSS ${(before.rssBytes / 2 ** 20).toFixed(1)} MiB, heap ${(before.heapUsedBytes / 2 ** 20).toFixed(1)} MiB`);

    const loadConfig: LoadConfig = {
      host: '127.0.0.1',
      port: tcpPort,
      sources,
      connections: options.connections,
      concurrency: options.concurrency,
      appId,
      workspaceId,
      clientKey,
      natsUrl: infra.natsUrl,
      nodeId,
      payloadBytes: options.payloadBytes,
      fanoutBatch: options.fanoutBatch,
    };
    const child = spawnNode(['-r', join(ROOT, 'tools/bench/register.js'), join(__dirname, 'load.ts')], { PATH: process.env.PATH ?? '', BENCH_LOAD_CONFIG: JSON.stringify(loadConfig) }, fileLimit, 'ipc');
    load = new LoadProcess(child);

    // 1. connections/s
    let meter = new PhaseMeter(pids, httpPort);
    const connect: ConnectResult = (await load.ask({ cmd: 'connect' }, 'connected')).result;
    const connectPhase = await meter.finish();
    log(`connected ${connect.connected} in ${connect.seconds} s = ${connect.perSecond}/s (${connect.failed} failed ${JSON.stringify(connect.failures)}); cpu ${JSON.stringify(connectPhase.cpuSeconds)}`);
    if (connect.connected === 0) throw new Error('no connection was established');

    // 2. memory per idle connection
    log('idle: letting the gateway settle');
    meter = new PhaseMeter(pids, httpPort);
    await sleep(10_000);
    // Measured before the forced GCs: the gateway's own idle cost (pings, presence refreshes, sweeps).
    const idlePhase = await meter.finish();
    const after = await settledMemory(gatewayPid, httpPort);
    const metricsIdle = await scrape(httpPort);
    const connectionsOnGateway = metricsIdle.comet_connections ?? NaN;
    const rssPer = (after.rssBytes - before.rssBytes) / connect.connected;
    const heapPer = (after.heapUsedBytes - before.heapUsedBytes) / connect.connected;
    log(`gateway after: RSS ${(after.rssBytes / 2 ** 20).toFixed(1)} MiB, heap ${(after.heapUsedBytes / 2 ** 20).toFixed(1)} MiB; per connection RSS ${(rssPer / 1024).toFixed(2)} KiB, heap ${(heapPer / 1024).toFixed(2)} KiB`);

    // 3. fan-out
    meter = new PhaseMeter(pids, httpPort);
    const fan: FanoutResult = (await load.ask({ cmd: 'fanout', rounds: options.fanoutRounds }, 'fanout')).result;
    const fanPhase = await meter.finish();
    const rates = fan.rounds.map((r) => r.deliveriesPerSecond);
    const fanDeliveries = fan.rounds.reduce((sum, r) => sum + r.received, 0);
    const idleCpuRate = idlePhase.cpuSeconds.gateway! / idlePhase.wallSeconds;

    // 4. unicast latency
    log(`unicast: ${options.unicastRate}/s for ${options.unicastSeconds} s`);
    meter = new PhaseMeter(pids, httpPort);
    const uni: UnicastResult = (await load.ask({ cmd: 'unicast', rate: options.unicastRate, seconds: options.unicastSeconds }, 'unicast')).result;
    const uniPhase = await meter.finish();
    log(`unicast: sent ${uni.sent}, received ${uni.received}, p50 ${uni.p50Ms} ms, p99 ${uni.p99Ms} ms, max ${uni.maxMs} ms`);

    const closed = await load.ask({ cmd: 'close' }, 'closed');
    const metricsEnd = await scrape(httpPort);

    const summary = {
      bench: 'comet',
      at: new Date().toISOString(),
      machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? '', memGiB: round(totalmem() / 2 ** 30, 1), node: process.version, openFileLimit: fileLimit },
      options: { ...options },
      n: connect.connected,
      connect: { ...connect, phase: connectPhase },
      memory: {
        connections: connect.connected,
        gatewayConnectionsMetric: connectionsOnGateway,
        rssBeforeBytes: before.rssBytes,
        rssAfterBytes: after.rssBytes,
        heapBeforeBytes: before.heapUsedBytes,
        heapAfterBytes: after.heapUsedBytes,
        rssPerConnectionBytes: Math.round(rssPer),
        heapPerConnectionBytes: Math.round(heapPer),
        idlePhase,
      },
      fanout: {
        ...fan,
        // Gateway CPU per delivery over the fan-out phase, its idle CPU (pings, presence refreshes) taken out:
        // what one gateway core could sustain if the receivers were not on the same 2 cores.
        gatewayCpuMicrosPerDelivery: round((1e6 * (fanPhase.cpuSeconds.gateway! - idleCpuRate * fanPhase.wallSeconds)) / Math.max(1, fanDeliveries), 2),
        bestDeliveriesPerSecond: Math.max(...rates), medianDeliveriesPerSecond: [...rates].sort((a, b) => a - b)[Math.floor(rates.length / 2)] ?? NaN, phase: fanPhase },
      unicast: { ...uni, phase: uniPhase },
      gateway: {
        slowConsumerDisconnects: metricsEnd.comet_slow_consumer_disconnects_total ?? 0,
        deliveriesMissed: metricsEnd.comet_deliveries_missed_total ?? 0,
        connectionsAliveAtEnd: closed.alive,
      },
      goals: {
        idleConnections50k: connect.connected >= 50_000,
        rssPerConnectionAtMost10KB: rssPer <= 10_000,
        fanoutAtLeast200kPerSecond: Math.max(...rates) >= 200_000,
        unicastP99AtMost50ms: uni.p99Ms <= 50 && uni.lost === 0 && uni.achievedRate >= 0.98 * options.unicastRate,
      },
    };
    await cleanup();
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } catch (error) {
    await cleanup();
    throw error;
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:comet failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);

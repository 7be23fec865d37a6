/**
 * `npm run bench:push` (issue: Message Push Service goals): simple pushes accepted per second with
 * their API latency, and a broadcast to N connected devices timed from the API call until the last
 * device received it. The server is the standalone process (embedded store and stream) or, with
 * `--mode cluster`, the services as separate processes on the NATS/Kafka/FerretDB of tools/infra.
 * Devices are raw comet connections held by forked drivers (driver.ts). Progress goes to stderr;
 * stdout gets one JSON summary line. Flags: see tools/bench/README.md or `--help`.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { AdminClient, ClusterProcesses, ServiceProcess, freePort, type ClusterService } from '@pushsync/testing';
import { CpuMeter, infraPids, loadInfraEnv, percentile, round } from '../process-meter';
import { SignedSender } from '../sync/sender';
import type { DriverConfig, FromDriver, ToDriver } from './driver-messages';

const ROOT = join(__dirname, '..', '..', '..');
const CLUSTER_SERVICES: ClusterService[] = ['sync-core', 'push-core', 'comet-gateway', 'api-gateway'];
/** Descriptors a comet process needs besides its device sockets (store, bus, HTTP, logs). */
const FD_HEADROOM = 600;
const APP = { appId: 'bench-push', workspaceId: 'wbench' };
const OWNER = `benchowner.${randomBytes(24).toString('base64url')}`;
const STAMP = Date.now().toString(36);

const HELP = `npm run bench:push -- [flags]
  --mode standalone|cluster   server under test (default standalone)
  --phases accept,broadcast   phases to run (default both)
  --seconds S                 accept phase length (default 20)
  --concurrency C             concurrent tenant HTTP requests in the accept phase (default 64)
  --tokens T                  registered device tokens the simple pushes go to (default 300)
  --online O                  of those, kept connected, acking what they get (default 30)
  --devices N                 connected devices of the broadcast (default 50000; standalone: what one process's open-file limit allows)
  --gateways G                cluster: comet-gateway processes (default: enough for N under the open-file limit)
  --drivers D                 connection driver processes (default ceil(N / 10000))
  --connect-concurrency K     handshakes in flight over all drivers (default 256)
  --settle S                  seconds between the last handshake and the broadcast (default 5)
  --broadcast-timeout S       wait for the last receipt at most S seconds (default 60)
  --ack                       after the measurement, ack every received broadcast and time the acks
  --cpu-prof DIR              the server process(es) write V8 CPU profiles into DIR when stopped`;

const { values: flags } = parseArgs({
  options: {
    mode: { type: 'string', default: 'standalone' },
    phases: { type: 'string', default: 'accept,broadcast' },
    seconds: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '64' },
    tokens: { type: 'string', default: '300' },
    online: { type: 'string', default: '30' },
    devices: { type: 'string' },
    gateways: { type: 'string' },
    drivers: { type: 'string' },
    'connect-concurrency': { type: 'string', default: '256' },
    settle: { type: 'string', default: '5' },
    'broadcast-timeout': { type: 'string', default: '60' },
    ack: { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

function positive(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} ${raw}: expected a non-negative number`);
  return value;
}

const MODE = flags.mode === 'cluster' ? 'cluster' : 'standalone';
const PHASES = new Set(flags.phases!.split(',').map((phase) => phase.trim()));
const P = {
  seconds: positive('seconds', flags.seconds)!,
  concurrency: positive('concurrency', flags.concurrency)!,
  tokens: positive('tokens', flags.tokens)!,
  online: positive('online', flags.online)!,
  devices: positive('devices', flags.devices),
  gateways: positive('gateways', flags.gateways),
  drivers: positive('drivers', flags.drivers),
  connectConcurrency: positive('connect-concurrency', flags['connect-concurrency'])!,
  settleSeconds: positive('settle', flags.settle)!,
  broadcastTimeoutSeconds: positive('broadcast-timeout', flags['broadcast-timeout'])!,
};

function log(text: string): void {
  process.stderr.write(`[bench:push ${new Date().toISOString().slice(11, 19)}] ${text}\n`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const epochNow = () => performance.timeOrigin + performance.now();

function hardFileLimit(): number {
  return Number(execFileSync('bash', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim());
}

/** The load average and the busiest processes (other sessions share this machine): to stderr, and the load average for the summary. */
function machineSnapshot(label: string): number[] {
  try {
    const top = execFileSync('top', ['-b', '-n1', '-w', '200'], { encoding: 'utf8' }).split('\n');
    const header = top.findIndex((line) => /^\s*PID\s/.test(line));
    const busiest = top
      .slice(header + 1, header + 7)
      .filter((line) => line.trim() !== '')
      .map((line) => {
        const cols = line.trim().split(/\s+/);
        return `${cols.slice(11).join(' ')}(${cols[0]}) ${cols[8]}%`;
      });
    log(`${label}: ${top[0]?.trim() ?? ''} | ${busiest.join(', ')}`);
  } catch {
    // top missing: the load average alone
  }
  return loadavg().map((value) => round(value, 2));
}

// ---------------------------------------------------------------------------------------------
// The server under test.

interface Server {
  baseUrl: string;
  cometPorts: number[];
  pids: Record<string, number | number[]>;
  /** A service that exited by itself, with the end of its output; undefined while all run. */
  exited(): string | undefined;
  stop(): Promise<void>;
}

function serviceEnv(): Record<string, string> {
  return {
    RATE_LIMIT_PER_APP: '1000000',
    // The bench connects from a few source addresses; the per-address handshake limiter would refuse it.
    COMET_HANDSHAKE_BURST: '1000000',
    COMET_HANDSHAKE_PER_SECOND: '1000000',
    LOG_LEVEL: 'warn',
    ...(flags['cpu-prof'] ? { SERVICE_CPU_PROFILE_DIR: flags['cpu-prof'] } : {}),
  };
}

const childOf = (service: ServiceProcess) => (service as unknown as { child?: ChildProcess }).child;

function exitedOf(services: Array<[string, ServiceProcess]>): string | undefined {
  for (const [name, service] of services) {
    const child = childOf(service);
    if (child && (child.exitCode !== null || child.signalCode !== null)) return `${name} exited (${child.exitCode ?? child.signalCode}): ${service.stdout.slice(-3000)}`;
  }
  return undefined;
}

async function startStandalone(): Promise<Server> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-push-'));
  const [port, cometPort] = [await freePort(), await freePort()];
  const service = new ServiceProcess('standalone', { ...serviceEnv(), PUSHSYNC_DATA_DIR: dataDir, HTTP_PORT: String(port), COMET_TCP_PORT: String(cometPort), PUSHSYNC_ADMIN_KEY: OWNER }).start();
  const baseUrl = `http://127.0.0.1:${port}`;
  await service.waitUntilReady(`${baseUrl}/readyz`, 60_000);
  return {
    baseUrl,
    cometPorts: [cometPort],
    pids: { standalone: childOf(service)!.pid! },
    exited: () => exitedOf([['standalone', service]]),
    stop: async () => {
      await service.stop().catch((error: unknown) => log(`stopping the standalone: ${String(error)}`));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The cluster of ClusterProcesses (own database and topic prefix) plus `gateways - 1` more
 * comet-gateway processes with the same environment and their own node id and ports: one process
 * can hold only as many connections as its open-file limit allows. Started again (up to 3 times)
 * when a service exits while starting (concurrent Kafka topic creation under a fresh prefix, see
 * the bench:sync notes).
 */
async function startCluster(gateways: number): Promise<Server> {
  const cometPorts = [await freePort()];
  const cluster = new ClusterProcesses(`benchpush${STAMP}`, OWNER, { ...serviceEnv(), COMET_TCP_PORT: String(cometPorts[0]) });
  const extras: ServiceProcess[] = [];
  const stop = async () => {
    await Promise.all(extras.map((extra) => extra.stop().catch(() => undefined)));
    await cluster.dispose();
  };
  for (let attempt = 1; ; attempt++) {
    try {
      await cluster.start(CLUSTER_SERVICES);
      break;
    } catch (error) {
      if (attempt >= 3) {
        await stop();
        throw error;
      }
      log(`cluster start attempt ${attempt} failed (${String(error).split('\n').slice(0, 4).join(' | ')}); starting again`);
      await cluster.stopAll();
      await sleep(2000);
    }
  }
  // The same environment as the first gateway (ClusterProcesses keeps it private), another node id and ports.
  const envOf = (cluster as unknown as { envOf(service: ClusterService): Record<string, string> }).envOf.bind(cluster);
  for (let i = 1; i < gateways; i++) {
    const [httpPort, cometPort] = [await freePort(), await freePort()];
    const extra = new ServiceProcess('comet-gateway', { ...envOf('comet-gateway'), HTTP_PORT: String(httpPort), COMET_TCP_PORT: String(cometPort), NODE_ID: `comet-gateway-${i}-benchpush${STAMP}` }).start();
    extras.push(extra);
    await extra.waitUntilReady(`http://127.0.0.1:${httpPort}/readyz`, 60_000);
    cometPorts.push(cometPort);
  }
  const services: Array<[string, ServiceProcess]> = CLUSTER_SERVICES.map((name) => [name, cluster.process(name)]);
  extras.forEach((extra, i) => services.push([`comet-gateway-${i + 1}`, extra]));
  const pids: Record<string, number | number[]> = { ...infraPids() };
  for (const [name, service] of services) pids[name] = childOf(service)!.pid!;
  return { baseUrl: cluster.baseUrl('api-gateway'), cometPorts, pids, exited: () => exitedOf(services), stop };
}

interface Tenant {
  sender: SignedSender;
  clientKey: string;
}

async function newTenant(server: Server, sockets: number): Promise<Tenant> {
  const admin = new AdminClient(server.baseUrl, OWNER);
  const created = await admin.newTenant(APP.appId, APP.workspaceId);
  const clientKey = (await admin.call<{ clientKey: string }>('GET', `/admin/v1/apps/${APP.workspaceId}_${APP.appId}`)).body.clientKey;
  return { sender: new SignedSender(server.baseUrl, created.accessKeyId, created.accessKeySecret, sockets), clientKey };
}

// ---------------------------------------------------------------------------------------------
// Connection drivers.

class Driver {
  private readonly listeners = new Set<(message: FromDriver) => void>();

  private constructor(
    public readonly name: string,
    public readonly child: ChildProcess,
  ) {
    child.on('message', (message: FromDriver) => {
      if (message.kind === 'progress') log(`${name}: ${message.text}`);
      for (const listener of [...this.listeners]) listener(message);
    });
  }

  public static start(config: DriverConfig): Driver {
    const child = fork(join(__dirname, 'driver.ts'), [], {
      execArgv: ['-r', join(ROOT, 'tools/bench/register.js')],
      env: { PATH: process.env.PATH ?? '', BENCH_PUSH_DRIVER: JSON.stringify(config) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Driver(config.name, child);
  }

  public send(message: ToDriver): void {
    this.child.send(message);
  }

  /** The next message of `kind` (sending `message` first, if given). */
  public next<K extends FromDriver['kind']>(kind: K, message?: ToDriver, timeoutMs = 30 * 60_000): Promise<Extract<FromDriver, { kind: K }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error(`${this.name}: no ${kind} within ${timeoutMs} ms`));
      }, timeoutMs);
      const listener = (received: FromDriver) => {
        if (received.kind !== kind) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(received as Extract<FromDriver, { kind: K }>);
      };
      this.listeners.add(listener);
      if (message) this.send(message);
    });
  }

  public stop(): void {
    if (this.child.connected) this.child.disconnect();
  }
}

function mergeCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [key, value] of Object.entries(from)) into[key] = (into[key] ?? 0) + value;
}

// ---------------------------------------------------------------------------------------------
// Phase "accept": simple pushes (deliveryType 1, one device each) from concurrent tenant requests.

async function acceptPhase(server: Server) {
  const tenant = await newTenant(server, P.concurrency);
  const driver = Driver.start({ name: 'accept-devices', app: { ...APP, clientKey: tenant.clientKey }, ports: server.cometPorts, sourceAddresses: ['127.0.0.2'], concurrency: 32, ackAtOnce: true });
  try {
    const registered = await driver.next('connected', { cmd: 'connect', count: P.tokens, returnTokens: true });
    const tokens = registered.tokens;
    if (tokens.length === 0) throw new Error(`no device registered: ${JSON.stringify(registered.failures)}`);
    const online = (await driver.next('closed', { cmd: 'closeAllBut', keep: P.online })).open;
    log(`accept: ${tokens.length} device tokens registered, ${online} of them stay connected and ack`);
    const codes: Record<string, number> = {};
    const run = async (seconds: number, latencies: number[] | null) => {
      let sequence = 0;
      const deadline = performance.now() + seconds * 1000;
      const worker = async () => {
        while (performance.now() < deadline) {
          const n = sequence++;
          const token = tokens[n % tokens.length]!;
          const answer = await tenant.sender.post('/v1/push/simple', {
            ...APP,
            taskName: 'bench',
            title: 'Bench',
            content: `simple push ${n}`,
            deliveryType: 1,
            targetMsgkey: JSON.stringify({ [token]: `${latencies ? 'a' : 'w'}-${STAMP}-${n}` }),
            expiredSeconds: 600,
          });
          if (!latencies) continue;
          if (answer.code === 'OK') latencies.push(answer.ms);
          else codes[answer.code] = (codes[answer.code] ?? 0) + 1;
        }
      };
      const started = performance.now();
      await Promise.all(Array.from({ length: P.concurrency }, worker));
      return { attempted: sequence, seconds: (performance.now() - started) / 1000 };
    };
    await run(Math.min(3, P.seconds), null);
    const meter = new CpuMeter({ ...server.pids, driver: driver.child.pid! });
    const latencies: number[] = [];
    meter.begin();
    const result = await run(P.seconds, latencies);
    const cpu = meter.end();
    latencies.sort((a, b) => a - b);
    const summary = {
      durationS: round(result.seconds, 2),
      concurrency: P.concurrency,
      tokens: tokens.length,
      online,
      attempted: result.attempted,
      accepted: latencies.length,
      perSecond: round(latencies.length / result.seconds, 0),
      p50Ms: round(percentile(latencies, 50), 1),
      p99Ms: round(percentile(latencies, 99), 1),
      maxMs: round(latencies[latencies.length - 1] ?? NaN, 1),
      errors: codes,
      cpu,
    };
    log(`accept: ${summary.accepted} OK of ${summary.attempted} in ${summary.durationS} s = ${summary.perSecond}/s, p50 ${summary.p50Ms} ms, p99 ${summary.p99Ms} ms; errors ${JSON.stringify(codes)}`);
    log(`accept: CPU seconds ${JSON.stringify(cpu.cpuSeconds)} over ${cpu.wallSeconds} s`);
    return summary;
  } finally {
    driver.stop();
    tenant.sender.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Phase "broadcast": N connected devices, one broadcast, time until the last one received it.

async function broadcastPhase(server: Server, devices: number) {
  const tenant = await newTenant(server, 4);
  const title = `Bench broadcast ${STAMP}`;
  const templateName = `bench_${STAMP}`;
  const template = await tenant.sender.post('/v1/templates', { ...APP, name: templateName, title, content: 'For every connected device' });
  if (template.status !== 201) throw new Error(`creating the template: HTTP ${template.status} ${template.code}`);
  const driverCount = Math.max(1, P.drivers ?? Math.ceil(devices / 10_000));
  const drivers = Array.from({ length: driverCount }, (_, i) =>
    Driver.start({
      name: `driver-${i}`,
      app: { ...APP, clientKey: tenant.clientKey },
      ports: server.cometPorts,
      sourceAddresses: [`127.0.0.${2 + i}`],
      concurrency: Math.max(1, Math.ceil(P.connectConcurrency / driverCount)),
      ackAtOnce: false,
    }),
  );
  try {
    const pids: Record<string, number | number[]> = { ...server.pids };
    drivers.forEach((driver) => (pids[driver.name] = driver.child.pid!));
    const connectMeter = new CpuMeter(pids);
    log(`broadcast: opening ${devices} connections from ${driverCount} drivers to ${server.cometPorts.length} comet listener(s)`);
    connectMeter.begin();
    const connectStarted = performance.now();
    const connected = await Promise.all(drivers.map((driver, i) => driver.next('connected', { cmd: 'connect', count: Math.floor(devices / driverCount) + (i < devices % driverCount ? 1 : 0), returnTokens: false })));
    const connectSeconds = (performance.now() - connectStarted) / 1000;
    const connectCpu = connectMeter.end();
    const open = connected.reduce((sum, c) => sum + c.open, 0);
    const connectFailures: Record<string, number> = {};
    for (const c of connected) mergeCounts(connectFailures, c.failures);
    const connect = { open, seconds: round(connectSeconds, 2), perSecond: round(open / connectSeconds, 0), failures: connectFailures, cpu: connectCpu };
    log(`broadcast: ${open}/${devices} connected in ${connect.seconds} s = ${connect.perSecond}/s; refusals/retries ${JSON.stringify(connectFailures)}`);
    log(`broadcast: connect CPU seconds ${JSON.stringify(connectCpu.cpuSeconds)}`);
    const exited = server.exited();
    if (exited) throw new Error(exited);

    await sleep(P.settleSeconds * 1000);
    const meter = new CpuMeter(pids);
    const allReceived = Promise.all(drivers.map((driver) => driver.next('allReceived', { cmd: 'expect', title }, P.broadcastTimeoutSeconds * 1000).catch(() => undefined)));
    meter.begin();
    const postedAt = epochNow();
    const answer = await tenant.sender.post('/v1/push/broadcast', {
      ...APP,
      taskName: 'bench-broadcast',
      deliveryType: 1,
      msgkey: `bc-${STAMP}`,
      templateName,
      expiredSeconds: 600,
      // Every device (bound or not, permanently); "all users" needs the vendor-first channel for Android.
      pushStatus: 1,
      unBindPeriod: 4,
      androidChannel: 'notify',
    });
    if (answer.code !== 'OK') throw new Error(`broadcast refused: HTTP ${answer.status} ${answer.code}`);
    await allReceived;
    const waitedMs = epochNow() - postedAt;
    const cpu = meter.end();
    const reports = await Promise.all(drivers.map((driver) => driver.next('report', { cmd: 'report' })));
    const latencies = reports.flatMap((report) => report.receivedAt.map((at) => at - postedAt)).sort((a, b) => a - b);
    const stillOpen = reports.reduce((sum, report) => sum + report.open, 0);
    const summary = {
      devices,
      connected: open,
      received: latencies.length,
      openAtEnd: stillOpen,
      lostConnections: reports.reduce((sum, report) => sum + report.lostConnections, 0),
      apiMs: round(answer.ms, 1),
      firstMs: round(latencies[0] ?? NaN, 1),
      p50Ms: round(percentile(latencies, 50), 1),
      p99Ms: round(percentile(latencies, 99), 1),
      lastMs: latencies.length === open ? round(latencies[latencies.length - 1]!, 1) : null,
      waitedMs: round(waitedMs, 0),
      connectPerSecond: connect.perSecond,
      connect,
      cpu,
      comet: { processes: server.cometPorts.length, drivers: driverCount },
    };
    log(`broadcast: ${summary.received}/${open} received; API ${summary.apiMs} ms, first ${summary.firstMs} ms, p50 ${summary.p50Ms} ms, p99 ${summary.p99Ms} ms, last ${summary.lastMs ?? `(not all within ${P.broadcastTimeoutSeconds} s)`} ms`);
    log(`broadcast: CPU seconds ${JSON.stringify(cpu.cpuSeconds)} over ${cpu.wallSeconds} s`);
    if (flags.ack) {
      const ackMeter = new CpuMeter(pids);
      ackMeter.begin();
      const acked = await Promise.all(drivers.map((driver) => driver.next('acked', { cmd: 'ack' })));
      // The acks are recorded asynchronously; the server's CPU over a fixed window after them is the figure.
      await sleep(10_000);
      const ackCpu = ackMeter.end();
      log(`broadcast: ${acked.reduce((sum, a) => sum + a.count, 0)} acks sent; CPU seconds over the next 10 s ${JSON.stringify(ackCpu.cpuSeconds)}`);
      return { ...summary, acks: { sent: acked.reduce((sum, a) => sum + a.count, 0), cpu: ackCpu } };
    }
    return summary;
  } finally {
    for (const driver of drivers) driver.stop();
    tenant.sender.close();
  }
}

/** Runs one phase on a fresh server (a phase must not measure what the previous one left behind); stops it at the end, also on failure. */
async function onFreshServer<T>(phase: string, gateways: number, result: Record<string, unknown>, body: (server: Server) => Promise<T>): Promise<T | undefined> {
  log(`${phase}: starting the ${MODE === 'cluster' ? `cluster (${gateways} comet-gateway process(es))` : 'standalone process'}`);
  let server: Server | undefined;
  try {
    server = MODE === 'cluster' ? await startCluster(gateways) : await startStandalone();
    log(`${phase}: server up, pids ${JSON.stringify(server.pids)}`);
    const summary = await body(server);
    const exited = server.exited();
    if (exited) throw new Error(exited);
    return summary;
  } catch (error) {
    result.failed = true;
    result.error = `${phase}: ${error instanceof Error ? error.message : String(error)}`.slice(0, 2000);
    log(`${phase} FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return undefined;
  } finally {
    if (server) {
      log(`${phase}: stopping the server`);
      await server.stop();
    }
  }
}

async function main(): Promise<number> {
  if (flags.help) {
    process.stderr.write(`${HELP}\n`);
    return 0;
  }
  if (MODE === 'cluster') loadInfraEnv();
  const perProcess = hardFileLimit() - FD_HEADROOM;
  let devices = P.devices ?? 50_000;
  let devicesCappedBy: string | undefined;
  if (MODE === 'standalone' && devices > perProcess) {
    if (P.devices !== undefined) {
      log(`--devices ${devices}: the standalone process holds every connection, and the open-file limit here is ${perProcess + FD_HEADROOM} (ulimit -Hn, raising it needs CAP_SYS_RESOURCE); use --devices ${perProcess} or less, or --mode cluster (several comet-gateway processes)`);
      return 2;
    }
    devices = perProcess;
    devicesCappedBy = `open-file hard limit ${perProcess + FD_HEADROOM} per process (the standalone holds every connection); --mode cluster spreads 50,000 over several comet-gateway processes`;
  }
  const gateways = Math.max(1, P.gateways ?? Math.ceil(devices / perProcess));
  const result: Record<string, unknown> = { bench: 'push', mode: MODE };
  const loadAvgStart = machineSnapshot('machine before');
  if (PHASES.has('accept')) result.accept = await onFreshServer('accept', 1, result, acceptPhase);
  if (PHASES.has('broadcast')) {
    const broadcast = await onFreshServer('broadcast', gateways, result, (server) => broadcastPhase(server, devices));
    result.broadcast = broadcast && devicesCappedBy ? { ...broadcast, devicesCappedBy } : broadcast;
  }
  const loadAvgEnd = machineSnapshot('machine after');
  const accept = result.accept as { perSecond: number } | undefined;
  const broadcast = result.broadcast as { lastMs: number | null; devices: number } | undefined;
  result.goals = {
    acceptPerSecond: 3000,
    broadcastMs: 3000,
    acceptMet: accept ? accept.perSecond >= 3000 : null,
    broadcastMet: broadcast ? broadcast.devices >= 50_000 && broadcast.lastMs !== null && broadcast.lastMs <= 3000 : null,
  };
  result.conditions = { loadAvgStart, loadAvgEnd, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '', node: process.version };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return result.failed ? 1 : 0;
}

main().then(
  (code) => setTimeout(() => process.exit(code), 200).unref(),
  (error: unknown) => {
    log(`fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);

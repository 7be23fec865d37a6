/** What the orchestrator (run.ts) and the load process (load.ts) share. */

export interface BenchOptions {
  connections: number;
  sources: number;
  unicastRate: number;
  unicastSeconds: number;
  fanoutRounds: number;
  payloadBytes: number;
  /** Tokens per NATS message of a fan-out (the node subject carries them in a JSON header; NATS max_payload is 1 MB by default). */
  fanoutBatch: number;
  /** Connection attempts in flight at once while opening. */
  concurrency: number;
  keep: boolean;
}

export const DEFAULTS: BenchOptions = {
  connections: 50_000,
  sources: 4,
  unicastRate: 10_000,
  unicastSeconds: 10,
  fanoutRounds: 3,
  payloadBytes: 100,
  fanoutBatch: 5_000,
  concurrency: 512,
  keep: false,
};

export function parseArgs(argv: readonly string[]): BenchOptions {
  const options: BenchOptions = { ...DEFAULTS };
  const numeric: Record<string, keyof BenchOptions> = {
    '--connections': 'connections',
    '--sources': 'sources',
    '--unicast-rate': 'unicastRate',
    '--unicast-seconds': 'unicastSeconds',
    '--fanout-rounds': 'fanoutRounds',
    '--payload-bytes': 'payloadBytes',
    '--fanout-batch': 'fanoutBatch',
    '--concurrency': 'concurrency',
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag === '--keep') {
      options.keep = true;
      continue;
    }
    if (flag === '--help' || flag === '-h') {
      throw new UsageError('');
    }
    const key = numeric[flag];
    if (key === undefined) throw new UsageError(`unknown flag ${arg}`);
    const raw = inline ?? argv[++i];
    const value = Number(raw);
    if (raw === undefined || !Number.isFinite(value) || value < 0) throw new UsageError(`${flag} needs a non-negative number, got ${String(raw)}`);
    (options as unknown as Record<string, number>)[key] = value;
  }
  if (options.connections < 1 || !Number.isInteger(options.connections)) throw new UsageError('--connections must be a positive integer');
  if (options.sources < 1 || options.sources > 250) throw new UsageError('--sources must be 1..250 (127.0.0.2 ... 127.0.0.251)');
  if (options.fanoutBatch < 1) throw new UsageError('--fanout-batch must be >= 1');
  if (options.concurrency < 1) throw new UsageError('--concurrency must be >= 1');
  return options;
}

export class UsageError extends Error {}

export const USAGE = `npm run bench:comet -- [flags]
  --connections N      idle connections to open (default ${DEFAULTS.connections})
  --sources K          source addresses 127.0.0.2 ... 127.0.0.(K+1) (default ${DEFAULTS.sources})
  --unicast-rate R     unicasts per second in the latency phase (default ${DEFAULTS.unicastRate})
  --unicast-seconds S  length of the latency phase (default ${DEFAULTS.unicastSeconds})
  --fanout-rounds F    fan-out deliveries to every connection (default ${DEFAULTS.fanoutRounds})
  --payload-bytes B    size of the push message content (default ${DEFAULTS.payloadBytes})
  --fanout-batch T     device tokens per node-subject message of a fan-out (default ${DEFAULTS.fanoutBatch})
  --concurrency C      connection attempts in flight while opening (default ${DEFAULTS.concurrency})
  --keep               leave the gateway running (and its database) for inspection`;

/** Everything the load process needs, passed as JSON in BENCH_LOAD_CONFIG. */
export interface LoadConfig {
  host: string;
  port: number;
  sources: string[];
  connections: number;
  concurrency: number;
  appId: string;
  workspaceId: string;
  clientKey: string;
  natsUrl: string;
  nodeId: string;
  payloadBytes: number;
  fanoutBatch: number;
}

export type ToLoad =
  | { cmd: 'connect' }
  | { cmd: 'fanout'; rounds: number }
  | { cmd: 'unicast'; rate: number; seconds: number }
  | { cmd: 'close' };

export interface ConnectResult {
  connected: number;
  failed: number;
  failures: Record<string, number>;
  seconds: number;
  perSecond: number;
  loadCpuSeconds: number;
}

export interface FanoutRound {
  round: number;
  expected: number;
  received: number;
  /** Publish of the first batch until the last client got the frame. */
  seconds: number;
  deliveriesPerSecond: number;
  /** Receipt latency of the first and median connection (ms after publish). */
  firstMs: number;
  p50Ms: number;
}

export interface FanoutResult {
  rounds: FanoutRound[];
  loadCpuSeconds: number;
}

export interface UnicastResult {
  targetRate: number;
  seconds: number;
  sent: number;
  received: number;
  lost: number;
  achievedRate: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  loadCpuSeconds: number;
}

export type FromLoad =
  | { kind: 'progress'; text: string }
  | { kind: 'connected'; result: ConnectResult }
  | { kind: 'fanout'; result: FanoutResult }
  | { kind: 'unicast'; result: UnicastResult }
  | { kind: 'error'; message: string }
  | { kind: 'closed'; alive: number };


/**
 * Measurement helpers shared by the benchmark runners (comet, push, sync): rounding, percentiles,
 * the tools/infra environment, and CPU seconds per process from /proc (Linux only).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const ROOT = join(__dirname, '..', '..');
/** USER_HZ, the unit of utime/stime in /proc/<pid>/stat (100 on Linux). */
const CLK_TCK = 100;

/** `value` rounded to `digits` decimals; NaN and ±Infinity are returned unchanged. */
export function round(value: number, digits = 2): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** The nearest-rank p-th percentile (0..100) of ascending `sorted`; NaN when it is empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const INFRA_NAMES = ['NATS_URL', 'KAFKA_BROKERS', 'MONGO_URL'] as const;

const hasInfraEnv = () => INFRA_NAMES.every((name) => process.env[name]);

/** The `export NAME=value` lines printed by tools/infra/env. */
function infraScriptEnv(): Record<string, string> {
  const out = execFileSync(join(ROOT, 'tools/infra/env'), { encoding: 'utf8' });
  const values: Record<string, string> = {};
  for (const match of out.matchAll(/^export (\w+)=(.*)$/gm)) values[match[1]!] = match[2]!.replace(/^['"]|['"]$/g, '');
  return values;
}

/** NATS_URL, KAFKA_BROKERS, MONGO_URL from the environment, else from tools/infra/env ('' if neither has one). */
export function infraEnv(): { natsUrl: string; kafkaBrokers: string; mongoUrl: string } {
  const fromScript = hasInfraEnv() ? {} : infraScriptEnv();
  const get = (name: string) => process.env[name] ?? fromScript[name] ?? '';
  return { natsUrl: get('NATS_URL'), kafkaBrokers: get('KAFKA_BROKERS'), mongoUrl: get('MONGO_URL') };
}

/**
 * Unless NATS_URL, KAFKA_BROKERS and MONGO_URL are all set, copies what tools/infra/env exports into
 * process.env, keeping variables already set (ClusterProcesses reads process.env).
 */
export function loadInfraEnv(): void {
  if (hasInfraEnv()) return;
  for (const [name, value] of Object.entries(infraScriptEnv())) process.env[name] ??= value;
}

/** User + system CPU seconds of `pid` so far (/proc/<pid>/stat); NaN when it cannot be read (process gone). */
export function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime, stime (fields 14 and 15)
  } catch {
    return NaN;
  }
}

/**
 * Every pid of the infrastructure servers, by name (nats, ferretdb, postgres, kafka), found by
 * /proc/<pid>/comm; a name without a running process is absent. PostgreSQL runs one process per
 * connection, hence the lists.
 */
export function infraPids(): Record<string, number[]> {
  const found: Record<string, number[]> = {};
  const add = (name: string, pid: number) => (found[name] ??= []).push(pid);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      if (comm.startsWith('nats-server')) add('nats', Number(entry));
      else if (comm.startsWith('ferretdb')) add('ferretdb', Number(entry));
      else if (comm.startsWith('postgres')) add('postgres', Number(entry));
      else if (comm === 'java' && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('kafka')) add('kafka', Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

export interface CpuReport {
  wallSeconds: number;
  /** CPU seconds per name, rounded to 0.01; NaN (null in JSON) when none of its processes was readable at end(). */
  cpuSeconds: Record<string, number>;
}

/**
 * CPU seconds per named process group between begin() and end(), and the wall seconds. A name's
 * figure is the sum over its pids of what each used in between: a pid unreadable at begin() counts
 * from zero, one gone by end() is left out. With `self` (the default), `bench` is this process.
 */
export class CpuMeter {
  private readonly pids: Array<[string, number[]]>;
  private readonly self: boolean;
  private start = new Map<number, number>();
  private selfStart = 0;
  private wall = 0;

  public constructor(pids: Record<string, number | number[]>, options: { self?: boolean } = {}) {
    this.pids = Object.entries(pids).map(([name, pid]) => [name, Array.isArray(pid) ? pid : [pid]]);
    this.self = options.self ?? true;
  }

  public begin(): void {
    this.wall = performance.now();
    this.start = this.sample();
    this.selfStart = selfCpuSeconds();
  }

  public end(): CpuReport {
    const now = this.sample();
    const selfNow = selfCpuSeconds();
    const cpuSeconds: Record<string, number> = {};
    for (const [name, pids] of this.pids) {
      let sum = NaN;
      for (const pid of pids) {
        const value = now.get(pid);
        if (value !== undefined) sum = (Number.isNaN(sum) ? 0 : sum) + value - (this.start.get(pid) ?? 0);
      }
      cpuSeconds[name] = round(sum, 2);
    }
    if (this.self) cpuSeconds.bench = round(selfNow - this.selfStart, 2);
    return { wallSeconds: round((performance.now() - this.wall) / 1000, 2), cpuSeconds };
  }

  /** CPU seconds by pid, for the pids readable now. */
  private sample(): Map<number, number> {
    const out = new Map<number, number>();
    for (const [, pids] of this.pids) {
      for (const pid of pids) {
        const seconds = cpuSecondsOf(pid);
        if (!Number.isNaN(seconds)) out.set(pid, seconds);
      }
    }
    return out;
  }
}

function selfCpuSeconds(): number {
  const self = process.cpuUsage();
  return (self.user + self.system) / 1e6;
}

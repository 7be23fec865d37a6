import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

/** A free TCP port on 127.0.0.1 (asked of the kernel, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** One service (or the standalone) running from dist/ as its own OS process, the way operators run it. */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private output = '';
  private exit: Promise<number | null> | undefined;

  public constructor(
    public readonly app: string,
    private readonly env: Record<string, string>,
  ) {}

  public get stdout(): string {
    return this.output;
  }

  public start(): this {
    // SERVICE_CPU_PROFILE_DIR (in the service's env or this process's): the service writes a V8 CPU profile there when it stops.
    const profileDir = this.env.SERVICE_CPU_PROFILE_DIR ?? process.env.SERVICE_CPU_PROFILE_DIR;
    const profiling = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${this.app}.${Date.now()}.cpuprofile`] : [];
    const child = spawn(process.execPath, [...profiling, '-r', join(ROOT, 'tools/runtime/register.js'), join(ROOT, 'dist/apps', this.app, 'src/main.js')], {
      cwd: ROOT,
      // Comet listeners on ephemeral ports unless a test names them: parallel suites must not fight over 9800/9801.
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', COMET_TCP_PORT: '0', COMET_TLS_PORT: '0', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    this.exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    this.child = child;
    return this;
  }

  /** Resolves with the exit code once the process ends by itself. */
  public exited(timeoutMs = 10_000): Promise<number | null> {
    return withTimeout(this.exit!, timeoutMs, `${this.app} did not exit\n${this.output}`);
  }

  /** Polls `url` (e.g. /readyz) until it answers 200. */
  public async waitUntilReady(url: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child?.exitCode !== null) throw new Error(`${this.app} exited with ${this.child?.exitCode}\n${this.output}`);
      try {
        if ((await fetch(url)).status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`${this.app} not ready at ${url} within ${timeoutMs} ms\n${this.output}`);
  }

  /** `kill -9`: no shutdown hooks, nothing flushed. */
  public async kill9(): Promise<void> {
    if (!this.child || this.child.exitCode !== null) return;
    this.child.kill('SIGKILL');
    await this.exit;
  }

  public async stop(): Promise<number | null> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return this.child?.exitCode ?? null;
    this.child.kill('SIGTERM');
    try {
      return await withTimeout(this.exit!, 25_000, `${this.app} did not stop within 25 s of SIGTERM and was killed\n${this.output}`);
    } catch (error) {
      // Never left behind: a comet-gateway draining 17,000 connections outlived a benchmark this way.
      this.child.kill('SIGKILL');
      await this.exit;
      throw error;
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

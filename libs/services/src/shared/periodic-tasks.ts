import type { PlatformLogger } from '@pushsync/platform';

/**
 * Background tasks of an engine run every `intervalMs` (relays, sweeps, purges): a run still in
 * progress is not started again, a failure is logged and retried at the next interval, and the
 * timers never keep the process alive.
 */
export class PeriodicTasks {
  private readonly timers: NodeJS.Timeout[] = [];

  public constructor(private readonly logger: PlatformLogger) {}

  public every(intervalMs: number, what: string, task: () => Promise<unknown>): void {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      task()
        .catch((error: unknown) => this.logger.warn({ err: error }, `${what} failed; retrying at the next interval`))
        .finally(() => (running = false));
    }, intervalMs);
    timer.unref();
    this.timers.push(timer);
  }

  public stop(): void {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
  }
}

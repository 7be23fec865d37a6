import { Injectable } from '@nestjs/common';

export interface LifecycleHook {
  name: string;
  /** Runs once every dependency answers: open collections, start consumers, serve links. */
  start(): Promise<void>;
  /** Runs on shutdown, in reverse order of start. */
  stop?(): Promise<void>;
}

/**
 * The service's background parts register here while Nest builds the module graph (no I/O
 * then); the bootstrap starts them once the infrastructure answers and stops them in reverse
 * order on SIGTERM. Until then the service is alive but not ready.
 */
@Injectable()
export class Lifecycle {
  private readonly hooks: LifecycleHook[] = [];
  private readonly running: LifecycleHook[] = [];
  private state: 'starting' | 'started' | 'stopping' = 'starting';
  private waitingFor = 'dependencies';

  public register(hook: LifecycleHook): void {
    this.hooks.push(hook);
  }

  public get started(): boolean {
    return this.state === 'started';
  }

  /** Why the service does not take requests yet (or any more). */
  public get notReadyReason(): string | undefined {
    if (this.state === 'started') return undefined;
    return this.state === 'stopping' ? 'shutting down' : `starting: waiting for ${this.waitingFor}`;
  }

  public waiting(reason: string): void {
    this.waitingFor = reason;
  }

  public async startAll(): Promise<void> {
    for (const hook of this.hooks) {
      this.waitingFor = hook.name;
      await hook.start();
      this.running.push(hook);
    }
    this.state = 'started';
  }

  public async stopAll(): Promise<void> {
    this.state = 'stopping';
    for (const hook of this.running.reverse()) await hook.stop?.();
    this.running.length = 0;
  }
}

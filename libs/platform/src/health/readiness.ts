export interface ReadinessProbe {
  name: string;
  check(): Promise<void>;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Array<{ name: string; ok: boolean; reason?: string }>;
}

const PROBE_TIMEOUT_MS = 2000;

function withTimeout(probe: ReadinessProbe): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
    probe.check().then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** Runs every probe at once; ready only when all answer. */
export async function checkReadiness(probes: ReadinessProbe[]): Promise<ReadinessReport> {
  const checks = await Promise.all(
    probes.map(async (probe) => {
      try {
        await withTimeout(probe);
        return { name: probe.name, ok: true };
      } catch (error) {
        return { name: probe.name, ok: false, reason: (error as Error).message };
      }
    }),
  );
  return { ready: checks.every((c) => c.ok), checks };
}

/**
 * Waits until every probe answers, retrying with capped exponential back-off and reporting
 * each failed round, so that a service started before its dependencies comes up by itself.
 */
export async function waitUntilReady(
  probes: ReadinessProbe[],
  options: { onWaiting(report: ReadinessReport, retryInMs: number): void; isCancelled(): boolean; maxDelayMs?: number },
): Promise<boolean> {
  let delay = 250;
  for (;;) {
    const report = await checkReadiness(probes);
    if (report.ready) return true;
    if (options.isCancelled()) return false;
    options.onWaiting(report, delay);
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, options.maxDelayMs ?? 10_000);
  }
}

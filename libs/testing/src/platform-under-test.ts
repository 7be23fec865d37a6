import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterProcesses } from './cluster-processes';
import { freePort, ServiceProcess } from './service-process';

export type PlatformMode = 'standalone' | 'cluster';

/** The whole platform for an e2e suite: base URL of the tenant and admin API, the comet TCP port, and how to stop it. */
export interface PlatformUnderTest {
  base: string;
  cometPort: number;
  stop(): Promise<void>;
}

/**
 * Starts the standalone process (embedded adapters, its own data folder) or the cluster (every
 * service its own process on real Kafka, NATS and the MongoDB-compatible store, its own database
 * and topic prefix), with `settings` as extra environment and `owner` as the admin key.
 */
export async function startPlatform(mode: PlatformMode, name: string, owner: string, settings: Record<string, string> = {}): Promise<PlatformUnderTest> {
  const cometPort = await freePort();
  const env = { ...settings, COMET_TCP_PORT: String(cometPort) };
  if (mode === 'cluster') {
    const cluster = new ClusterProcesses(name, owner, env);
    try {
      await cluster.start(['sync-core', 'push-core', 'comet-gateway', 'api-gateway']);
    } catch (error) {
      await cluster.dispose();
      throw error;
    }
    return { base: cluster.baseUrl('api-gateway'), cometPort, stop: () => cluster.dispose() };
  }
  const dataDir = mkdtempSync(join(tmpdir(), `pushsync-${name}-`));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const standalone = new ServiceProcess('standalone', { ...env, PUSHSYNC_DATA_DIR: dataDir, HTTP_PORT: String(port), PUSHSYNC_ADMIN_KEY: owner }).start();
  const stop = async () => {
    await standalone.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await standalone.waitUntilReady(`${base}/readyz`);
  } catch (error) {
    await stop();
    throw error;
  }
  return { base, cometPort, stop };
}

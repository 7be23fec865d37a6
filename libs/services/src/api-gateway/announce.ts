import type { StandaloneEnv } from '../shared/envs';

/** The standalone banner: where everything listens. The admin credential is printed separately, once, when generated. */
export async function announceStandalone(_app: unknown, _context: unknown, env: StandaloneEnv): Promise<void> {
  const reachable = (host: string) => (host === '0.0.0.0' ? '127.0.0.1' : host);
  const base = `http://${reachable(env.HTTP_HOST)}:${env.HTTP_PORT}`;
  const cometHost = reachable(env.COMET_HOST ?? env.HTTP_HOST);
  process.stdout.write(
    [
      '',
      'pushsync standalone is up',
      `  tenant API (REST v1):   ${base}/v1`,
      `  mPaaS-compatible RPC:   ${base}/`,
      `  admin API:              ${base}/admin/v1`,
      `  API docs (OpenAPI 3):   ${base}/docs`,
      `  devices (comet):        tcp://${cometHost}:${env.COMET_TCP_PORT}  tls://${cometHost}:${env.COMET_TLS_PORT}  ${base.replace('http:', 'ws:')}/comet`,
      `  health / metrics:       ${base}/healthz  ${base}/readyz  ${base}/metrics`,
      `  data directory:         ${env.PUSHSYNC_DATA_DIR}`,
      '',
    ].join('\n') + '\n',
  );
}

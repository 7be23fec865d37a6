import { loadEnv } from '@pushsync/platform';
import { RuntimeModule, runService } from '@pushsync/runtime';
import { CometGatewayModule, createServiceLinks, cometGatewayEnvSchema } from '@pushsync/services';

void runService({
  service: 'comet-gateway',
  loadEnv: () => loadEnv(cometGatewayEnvSchema),
  createLinks: (env) => createServiceLinks(env.PUSHSYNC_MODE, {}),
  rootModule: (context, env) => ({ module: class CometGatewayApp {}, imports: [RuntimeModule.forRoot(context), CometGatewayModule.forRoot(env)] }),
});

import { loadEnv } from '@pushsync/platform';
import { RuntimeModule, runService } from '@pushsync/runtime';
import { PushCoreModule, createServiceLinks, pushCoreEnvSchema } from '@pushsync/services';

void runService({
  service: 'push-core',
  loadEnv: () => loadEnv(pushCoreEnvSchema),
  createLinks: (env) => createServiceLinks(env.PUSHSYNC_MODE, { listen: env.GRPC_LISTEN }),
  rootModule: (context, env) => ({ module: class PushCoreApp {}, imports: [RuntimeModule.forRoot(context), PushCoreModule.forRoot(env)] }),
});

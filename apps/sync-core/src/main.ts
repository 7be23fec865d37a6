import { loadEnv } from '@pushsync/platform';
import { RuntimeModule, runService } from '@pushsync/runtime';
import { SyncCoreModule, createServiceLinks, syncCoreEnvSchema } from '@pushsync/services';

void runService({
  service: 'sync-core',
  loadEnv: () => loadEnv(syncCoreEnvSchema),
  createLinks: (env) => createServiceLinks(env.PUSHSYNC_MODE, { listen: env.GRPC_LISTEN }),
  rootModule: (context, env) => ({ module: class SyncCoreApp {}, imports: [RuntimeModule.forRoot(context), SyncCoreModule.forRoot(env)] }),
});

import { loadEnv } from '@pushsync/platform';
import { RuntimeModule, runService } from '@pushsync/runtime';
import { StatsModule, createServiceLinks, statsEnvSchema } from '@pushsync/services';

void runService({
  service: 'stats',
  loadEnv: () => loadEnv(statsEnvSchema),
  createLinks: (env) => createServiceLinks(env.PUSHSYNC_MODE, {}),
  rootModule: (context) => ({ module: class StatsApp {}, imports: [RuntimeModule.forRoot(context), StatsModule] }),
});

import { InProcessServiceLinks, loadEnv } from '@pushsync/platform';
import { RuntimeModule, runService } from '@pushsync/runtime';
import {
  ApiGatewayModule,
  ChannelGatewayModule,
  CometGatewayModule,
  PushCoreModule,
  StatsModule,
  SyncCoreModule,
  announceStandalone,
  configureApiGateway,
  standaloneEnvSchema,
} from '@pushsync/services';

void runService({
  service: 'standalone',
  loadEnv: () => loadEnv(standaloneEnvSchema),
  createLinks: () => new InProcessServiceLinks(),
  rootModule: (context, env) => ({
    module: class StandaloneApp {},
    imports: [RuntimeModule.forRoot(context), ApiGatewayModule.forRoot(env), SyncCoreModule.forRoot(env), PushCoreModule.forRoot(env), CometGatewayModule.forRoot(env), ChannelGatewayModule, StatsModule],
  }),
  configure: configureApiGateway,
  afterStart: announceStandalone,
});

import { loadEnv } from '@pushsync/platform';
import { RuntimeModule, runService } from '@pushsync/runtime';
import { ChannelGatewayModule, createServiceLinks, channelGatewayEnvSchema } from '@pushsync/services';

void runService({
  service: 'channel-gateway',
  loadEnv: () => loadEnv(channelGatewayEnvSchema),
  createLinks: (env) => createServiceLinks(env.PUSHSYNC_MODE, {}),
  rootModule: (context) => ({ module: class ChannelGatewayApp {}, imports: [RuntimeModule.forRoot(context), ChannelGatewayModule] }),
});

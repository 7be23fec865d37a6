import { loadEnv } from '@pushsync/platform';
import { PUSH_CORE, SYNC_CORE } from '@pushsync/contracts';
import { RuntimeModule, runService } from '@pushsync/runtime';
import { ApiGatewayModule, apiGatewayEnvSchema, configureApiGateway, coreLinkProbes, createServiceLinks } from '@pushsync/services';

void runService({
  service: 'api-gateway',
  loadEnv: () => loadEnv(apiGatewayEnvSchema),
  createLinks: (env) => createServiceLinks(env.PUSHSYNC_MODE, { targets: { [SYNC_CORE.name]: env.SYNC_CORE_GRPC, [PUSH_CORE.name]: env.PUSH_CORE_GRPC } }),
  rootModule: (context, env) => ({ module: class ApiGatewayApp {}, imports: [RuntimeModule.forRoot(context), ApiGatewayModule.forRoot(env)] }),
  extraProbes: (context) => coreLinkProbes(context.links),
  configure: configureApiGateway,
});

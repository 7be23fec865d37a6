import { Module, type DynamicModule } from '@nestjs/common';
import type { CometEnv } from '../shared/envs';
import { AdminGuard } from '../shared/admin.guard';
import { TenancyModule } from '../shared/tenancy.module';
import { CometAdminController } from './comet-admin.controller';
import { COMET_ENV, CometServer } from './comet-server';

/** Persistent client connections (issue 3): TCP, TLS and WebSocket listeners over the gateway core of @pushsync/comet. */
@Module({})
export class CometGatewayModule {
  public static forRoot(env: CometEnv): DynamicModule {
    return {
      module: CometGatewayModule,
      imports: [TenancyModule],
      controllers: [CometAdminController],
      providers: [{ provide: COMET_ENV, useValue: env }, CometServer, AdminGuard],
      exports: [CometServer],
    };
  }
}

import { Module, type DynamicModule } from '@nestjs/common';
import { TenancyModule } from '../shared/tenancy.module';
import { AdminAppsController } from './admin/admin-apps.controller';
import { AdminOperatorsController } from './admin/admin-operators.controller';
import { AdminPushController } from './admin/admin-push.controller';
import { AdminSyncConfigsController } from './admin/admin-sync-configs.controller';
import { AdminSyncDataController } from './admin/admin-sync-data.controller';
import { AdminGuard } from '../shared/admin.guard';
import { API_GATEWAY_OPTIONS, type ApiGatewayOptions } from './api-gateway.options';
import { BootstrapOwner } from './bootstrap-owner';
import { TenancyServices } from './tenancy-services';
import { ClientDevicesController } from './tenant/client-devices.controller';
import { DevicesController } from './tenant/devices.controller';
import { OpenApiController } from './tenant/open-api.controller';
import { PlatformKeyController } from './tenant/platform-key.controller';
import { PushApiGuard } from './tenant/push-api.guard';
import { ServiceStatus } from './tenant/service-status';
import { StatusController } from './tenant/status.controller';
import { SyncConfigsController } from './tenant/sync-configs.controller';
import { SyncDataController } from './tenant/sync-data.controller';
import { PushController } from './tenant/push.controller';
import { TemplatesController } from './tenant/templates.controller';
import { TenantAuthenticator } from './tenant/tenant-authenticator';
import { TenantGuard } from './tenant/tenant.guard';
import { TenantCredentials } from './tenant/tenant-credentials';
import { WebapiSyncController } from './tenant/webapi-sync.controller';

/** Tenant API faces, admin API, authentication and OpenAPI. */
@Module({})
export class ApiGatewayModule {
  public static forRoot(options: ApiGatewayOptions): DynamicModule {
    return {
      module: ApiGatewayModule,
      imports: [TenancyModule],
      controllers: [AdminAppsController, AdminOperatorsController, StatusController, OpenApiController, TemplatesController, DevicesController, ClientDevicesController, SyncConfigsController, AdminSyncConfigsController, AdminSyncDataController, AdminPushController, PlatformKeyController, SyncDataController, WebapiSyncController, PushController],
      providers: [
        { provide: API_GATEWAY_OPTIONS, useValue: { PUSHSYNC_ADMIN_KEY: options.PUSHSYNC_ADMIN_KEY, RATE_LIMIT_PER_APP: options.RATE_LIMIT_PER_APP } },
        TenancyServices,
        TenantCredentials,
        BootstrapOwner,
        AdminGuard,
        TenantAuthenticator,
        TenantGuard,
        PushApiGuard,
        ServiceStatus,
      ],
    };
  }
}

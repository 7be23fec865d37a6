import { Inject, Injectable } from '@nestjs/common';
import { PUSH_CORE, SYNC_CORE, type StatusReply, type StatusRequest } from '@pushsync/contracts';
import { RemoteCallError, type ServiceDefinition, type ServiceImplementation, type ServiceLinks } from '@pushsync/platform';
import { SERVICE_LINKS } from '@pushsync/runtime';
import type { TenantApp } from '@pushsync/tenancy';

export type CoreStatus = StatusReply | { service: string; error: string };

/** What every core serves besides its own methods. */
type StatusService = ServiceImplementation & { Status(request: StatusRequest): Promise<StatusReply> };

/** Asks each core whether it is up and sees the app; a core that fails is reported, not hidden. */
@Injectable()
export class ServiceStatus {
  public constructor(@Inject(SERVICE_LINKS) private readonly links: ServiceLinks) {}

  public async of(app: TenantApp): Promise<CoreStatus[]> {
    return Promise.all([this.statusOf(SYNC_CORE, app), this.statusOf(PUSH_CORE, app)]);
  }

  private async statusOf<S extends StatusService>(definition: ServiceDefinition<S>, app: TenantApp): Promise<CoreStatus> {
    try {
      return await this.links.client(definition).Status({ appId: app.appId, workspaceId: app.workspaceId });
    } catch (error) {
      const reason = error instanceof RemoteCallError ? `${error.code}: ${error.message}` : (error as Error).message;
      return { service: definition.name, error: reason };
    }
  }
}

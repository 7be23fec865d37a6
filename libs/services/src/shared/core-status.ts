import type { StatusReply, StatusRequest } from '@pushsync/contracts';
import type { ServiceInfo } from '@pushsync/runtime';
import type { TenancyRepositories } from './tenancy-repositories';

/** What a core answers to api-gateway's Status call: it is up, and whether it sees the app. */
export function coreStatus(service: string, info: ServiceInfo, tenancy: TenancyRepositories) {
  return {
    Status: async (request: StatusRequest): Promise<StatusReply> => {
      const app = await tenancy.repositories.apps.find(request.workspaceId, request.appId);
      return { service, nodeId: info.nodeId, appKnown: app !== null && app.status === 'active', serverTime: Date.now() };
    },
  };
}

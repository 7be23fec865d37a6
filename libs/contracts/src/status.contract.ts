import type { ServiceDefinition } from '@pushsync/platform';

/** Mirrors `proto/pushsync/v1/status.proto` (proto-loader turns snake_case into camelCase). */
export interface StatusRequest {
  appId: string;
  workspaceId: string;
}

export interface StatusReply {
  service: string;
  nodeId: string;
  appKnown: boolean;
  serverTime: number;
}

export type CoreStatusService = {
  Status(request: StatusRequest): Promise<StatusReply>;
};

export const SYNC_CORE: ServiceDefinition<CoreStatusService> = { name: 'pushsync.v1.SyncCore', protoFile: 'pushsync/v1/status.proto', methods: ['Status'] };
export const PUSH_CORE: ServiceDefinition<CoreStatusService> = { name: 'pushsync.v1.PushCore', protoFile: 'pushsync/v1/status.proto', methods: ['Status'] };

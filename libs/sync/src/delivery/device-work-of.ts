import type { CometEvent } from '@pushsync/comet';
import type { DeviceConnection, DeviceWork } from './device-work';

/** The device work a comet gateway event means for sync, or null when sync has nothing to do with it. */
export function deviceWorkOf(event: CometEvent): DeviceWork | null {
  const connection: DeviceConnection = {
    instanceId: event.instanceId,
    appId: event.appId,
    workspaceId: event.workspaceId,
    token: event.deviceToken,
    node: event.node,
    connectionId: event.connectionId,
    platform: event.platform,
    appVersion: event.appVersion,
    userId: event.userId,
    since: event.since,
  };
  switch (event.kind) {
    case 'connect':
      return { type: 'connect', ...connection, sessionId: event.sessionId, syncPoints: event.syncPoints ?? [] };
    case 'bind':
      return { type: 'bind', ...connection, sessionId: event.sessionId };
    case 'unbind': {
      const userId = event.detail?.userId;
      return typeof userId === 'string' ? { type: 'unbind', instanceId: event.instanceId, token: event.deviceToken, connectionId: event.connectionId, userId } : null;
    }
    case 'disconnect':
      return { type: 'disconnect', instanceId: event.instanceId, token: event.deviceToken, connectionId: event.connectionId };
    case 'sync-ack': {
      const { bizType, key, oplogId } = event.detail ?? {};
      if (typeof bizType !== 'string' || typeof key !== 'string') return null;
      const id = Number(oplogId);
      return Number.isSafeInteger(id) && id > 0 ? { type: 'ack', instanceId: event.instanceId, token: event.deviceToken, connectionId: event.connectionId, bizType, key, oplogId: id } : null;
    }
    default:
      return null;
  }
}

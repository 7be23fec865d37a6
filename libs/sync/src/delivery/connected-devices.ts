import type { PushObject } from '../configs/sync-config';

/** Where a device is connected (the comet gateway's presence entry). */
export interface ConnectedEntry {
  node: string;
  connectionId: string;
  platform: string;
  appVersion: string;
  userId: string | null;
  since: number;
}

/** What delivery needs of presence (implemented by @pushsync/comet's Presence). */
export interface ConnectedDevices {
  get(instanceId: string, token: string): Promise<ConnectedEntry | null>;
  entriesOfUser(instanceId: string, userId: string): Promise<Array<{ token: string; entry: ConnectedEntry }>>;
  devicesOfApp(instanceId: string): Promise<string[]>;
}

/** Writes an encoded frame to devices connected to a node (implemented by @pushsync/comet's CometDelivery). */
export interface FrameSender {
  sendToNode(instanceId: string, node: string, tokens: string[], frame: Uint8Array): Promise<void>;
}

/** The connected devices a targeted (non-global) channel reaches now: the device, every device of the user, or the user's most recent one. */
export async function connectedTargetsOf(connected: ConnectedDevices, instanceId: string, target: { pushObject: PushObject; multiDevice: boolean; key: string }): Promise<string[]> {
  if (target.pushObject === 'DEVICE') return (await connected.get(instanceId, target.key)) ? [target.key] : [];
  const devices = await connected.entriesOfUser(instanceId, target.key);
  if (target.multiDevice) return devices.map((device) => device.token);
  const latest = mostRecentDevice(devices);
  return latest === null ? [] : [latest];
}

/** The user's most recently connected device: the only one single-device data is offered to (DECISIONS D3). */
export function mostRecentDevice(devices: Array<{ token: string; entry: ConnectedEntry }>): string | null {
  let best: { token: string; entry: ConnectedEntry } | null = null;
  for (const device of devices) if (best === null || device.entry.since > best.entry.since || (device.entry.since === best.entry.since && device.token > best.token)) best = device;
  return best?.token ?? null;
}

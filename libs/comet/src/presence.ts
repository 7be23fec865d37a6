import type { KeyValue, KvBucket } from '@pushsync/platform';

/** Where one device is connected (ARCHITECTURE "Presence"). */
export interface PresenceEntry {
  node: string;
  connectionId: string;
  platform: string;
  appVersion: string;
  userId: string | null;
  /** Epoch ms the connection was opened. */
  since: number;
}

export const PRESENCE_BUCKET = 'comet-presence';
export const DEFAULT_PRESENCE_TTL_MS = 90_000;

/**
 * Presence in one KV bucket with a TTL (JetStream KV in a cluster, in-process standalone):
 *
 * - `d.<instanceId>.<deviceToken>` -> PresenceEntry: device -> node (one key per device);
 * - `u.<instanceId>.<userKey>.<deviceToken>` -> PresenceEntry: written while the device is bound,
 *   so `keys("u.<instanceId>.<userKey>.*")` lists a user's connected devices without a scan.
 *   `userKey` is the userId in base64url (userIds may hold any character; KV keys may not).
 *
 * instanceId (`workspaceId_appId`) and tokens (base64url) are valid key tokens as they are. Each
 * entry expires `ttlMs` after its last put: the owning node re-puts it on heartbeats, so a node
 * that dies without cleaning up loses its entries within one TTL. Entries are removed on
 * disconnect only while they still name the connection that wrote them (a device that has
 * already reconnected elsewhere keeps its new entry).
 */
export class Presence {
  private constructor(private readonly bucket: KvBucket) {}

  public static async open(keyValue: KeyValue, ttlMs: number = DEFAULT_PRESENCE_TTL_MS, name: string = PRESENCE_BUCKET): Promise<Presence> {
    return new Presence(await keyValue.bucket({ name, ttlMs }));
  }

  public static deviceKey(instanceId: string, token: string): string {
    return `d.${instanceId}.${token}`;
  }

  public static userKey(instanceId: string, userId: string, token: string): string {
    return `u.${instanceId}.${Buffer.from(userId, 'utf8').toString('base64url')}.${token}`;
  }

  /** Writes (or refreshes) the device's entry, and its user entry when bound. */
  public async put(instanceId: string, token: string, entry: PresenceEntry): Promise<void> {
    const value = encode(entry);
    await this.bucket.put(Presence.deviceKey(instanceId, token), value);
    if (entry.userId !== null && entry.userId !== '') await this.bucket.put(Presence.userKey(instanceId, entry.userId, token), value);
  }

  public async get(instanceId: string, token: string): Promise<PresenceEntry | null> {
    const found = await this.bucket.get(Presence.deviceKey(instanceId, token));
    return found ? decode(found.value) : null;
  }

  /** The device tokens of a user that are connected now. */
  public async devicesOfUser(instanceId: string, userId: string): Promise<string[]> {
    const prefix = Presence.userKey(instanceId, userId, 'x').slice(0, -1);
    const keys = await this.bucket.keys(`${prefix}*`);
    return keys.map((key) => key.slice(prefix.length));
  }

  /** The connected devices of a user with their entries (who connected most recently, on which node). */
  public async entriesOfUser(instanceId: string, userId: string): Promise<Array<{ token: string; entry: PresenceEntry }>> {
    const prefix = Presence.userKey(instanceId, userId, 'x').slice(0, -1);
    const keys = await this.bucket.keys(`${prefix}*`);
    const found = await Promise.all(keys.map(async (key) => ({ token: key.slice(prefix.length), value: await this.bucket.get(key) })));
    return found.flatMap(({ token, value }) => {
      const entry = value ? decode(value.value) : null;
      return entry ? [{ token, entry }] : [];
    });
  }

  /** Every device of the app connected now. */
  public async devicesOfApp(instanceId: string): Promise<string[]> {
    const prefix = `d.${instanceId}.`;
    return (await this.bucket.keys(`${prefix}*`)).map((key) => key.slice(prefix.length));
  }

  /** Removes the user entry of a device (unbind), while it names this connection. */
  public async removeUser(instanceId: string, userId: string, token: string, connectionId: string): Promise<void> {
    await this.removeIfOwned(Presence.userKey(instanceId, userId, token), connectionId);
  }

  /** Removes the device's entries while they name this connection. */
  public async remove(instanceId: string, token: string, userId: string | null, connectionId: string): Promise<void> {
    await this.removeIfOwned(Presence.deviceKey(instanceId, token), connectionId);
    if (userId !== null && userId !== '') await this.removeIfOwned(Presence.userKey(instanceId, userId, token), connectionId);
  }

  private async removeIfOwned(key: string, connectionId: string): Promise<void> {
    const found = await this.bucket.get(key);
    if (found && decode(found.value)?.connectionId === connectionId) await this.bucket.delete(key);
  }
}

function encode(entry: PresenceEntry): Uint8Array {
  return Buffer.from(JSON.stringify(entry), 'utf8');
}

function decode(value: Uint8Array): PresenceEntry | null {
  try {
    return JSON.parse(Buffer.from(value).toString('utf8')) as PresenceEntry;
  } catch {
    return null;
  }
}

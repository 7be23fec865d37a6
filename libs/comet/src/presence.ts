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
 * - `p.<instanceId>.<platform>.<nodeKey>.<deviceToken>` -> PresenceEntry: the platform index, so
 *   a broadcast lists the connected devices of a platform and their nodes with one `keys()` and
 *   no per-device lookup. `nodeKey` is the node id in base64url (a host name may hold dots).
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

  public static platformKey(instanceId: string, platform: string, node: string, token: string): string {
    return `p.${instanceId}.${platform}.${Buffer.from(node, 'utf8').toString('base64url')}.${token}`;
  }

  /**
   * Writes (or refreshes) the device's entry, its platform index entry, and its user entry when
   * bound. A device that moved node keeps its old index entry until the TTL (it is no longer
   * refreshed); connectedOf settles such doubles from the device entry.
   */
  public async put(instanceId: string, token: string, entry: PresenceEntry): Promise<void> {
    const value = encode(entry);
    await this.bucket.put(Presence.deviceKey(instanceId, token), value);
    await this.bucket.put(Presence.platformKey(instanceId, entry.platform, entry.node, token), value);
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

  /** The devices of a platform connected now, with their node: one key listing, and a device lookup only for a device listed under two nodes. */
  public async connectedOf(instanceId: string, platform: string): Promise<Array<{ token: string; node: string }>> {
    const prefix = `p.${instanceId}.${platform}.`;
    const nodesOf = new Map<string, string[]>();
    for (const key of await this.bucket.keys(`${prefix}*.*`)) {
      const [nodeKey, token] = key.slice(prefix.length).split('.') as [string, string];
      const nodes = nodesOf.get(token) ?? [];
      nodes.push(Buffer.from(nodeKey, 'base64url').toString('utf8'));
      nodesOf.set(token, nodes);
    }
    const connected: Array<{ token: string; node: string }> = [];
    for (const [token, nodes] of nodesOf) {
      if (nodes.length === 1) connected.push({ token, node: nodes[0]! });
      else {
        const current = await this.get(instanceId, token);
        if (current !== null && current.platform === platform) connected.push({ token, node: current.node });
      }
    }
    return connected;
  }

  /** The bound devices connected now, with their user: one key listing. */
  public async boundUsersOf(instanceId: string): Promise<Map<string, string>> {
    const prefix = `u.${instanceId}.`;
    const users = new Map<string, string>();
    for (const key of await this.bucket.keys(`${prefix}*.*`)) {
      const [userKey, token] = key.slice(prefix.length).split('.') as [string, string];
      users.set(token, Buffer.from(userKey, 'base64url').toString('utf8'));
    }
    return users;
  }

  /** Removes the user entry of a device (unbind), while it names this connection. */
  public async removeUser(instanceId: string, userId: string, token: string, connectionId: string): Promise<void> {
    await this.removeIfOwned(Presence.userKey(instanceId, userId, token), connectionId);
  }

  /** Removes the device's entries while they name this connection. */
  public async remove(instanceId: string, token: string, userId: string | null, connectionId: string): Promise<void> {
    const owned = await this.removeIfOwned(Presence.deviceKey(instanceId, token), connectionId);
    if (owned !== null) await this.removeIfOwned(Presence.platformKey(instanceId, owned.platform, owned.node, token), connectionId);
    if (userId !== null && userId !== '') await this.removeIfOwned(Presence.userKey(instanceId, userId, token), connectionId);
  }

  /** Deletes the entry while it names this connection; answers the entry deleted. */
  private async removeIfOwned(key: string, connectionId: string): Promise<PresenceEntry | null> {
    const found = await this.bucket.get(key);
    const entry = found ? decode(found.value) : null;
    if (entry?.connectionId !== connectionId) return null;
    await this.bucket.delete(key);
    return entry;
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

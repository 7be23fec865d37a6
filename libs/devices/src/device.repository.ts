import type { Collection, JsonValue, Store } from '@pushsync/platform';
import type { Device } from './device';

/** Tokens per `$in` query of findMany. */
const FIND_MANY_BATCH = 500;

/** Device records on the Store port. Every filter names the tenant app (DECISIONS D1): no query crosses apps. */
export class DeviceRepository {
  private constructor(private readonly devices: Collection<Device>) {}

  public static async open(store: Store): Promise<DeviceRepository> {
    return new DeviceRepository(
      await store.collection<Device>({
        name: 'devices',
        indexes: [
          // devicesOfUser: push by user (deliveryType 3) and user-dimension sync resolve userId -> device tokens.
          { name: 'app_user', fields: { workspaceId: 1, appId: 1, userId: 1 } },
          // Broadcast audiences by platform and binding state (push-core), newest activity first.
          { name: 'app_platform_seen', fields: { workspaceId: 1, appId: 1, platform: 1, lastSeenAt: -1 } },
        ],
      }),
    );
  }

  /** Throws DuplicateKeyError when the token exists (a 128-bit collision: the caller draws again). */
  public insert(device: Device): Promise<void> {
    return this.devices.insertOne(device);
  }

  public find(workspaceId: string, appId: string, token: string): Promise<Device | null> {
    return this.devices.findOne({ _id: token, workspaceId, appId });
  }

  /** Sets fields of a device of this app; null when the app has no such device. */
  public update(workspaceId: string, appId: string, token: string, changes: Partial<Omit<Device, '_id' | 'appId' | 'workspaceId'>>): Promise<Device | null> {
    const defined = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as Record<string, JsonValue>;
    return this.devices.findOneAndUpdate({ _id: token, workspaceId, appId }, { $set: defined });
  }

  /** Records one vendor's token (idempotent: the same token again changes nothing but lastSeenAt). */
  public setVendorToken(workspaceId: string, appId: string, token: string, vendor: string, vendorToken: string, now: number): Promise<Device | null> {
    return this.devices.findOneAndUpdate({ _id: token, workspaceId, appId }, { $set: { [`vendorTokens.${vendor}`]: vendorToken, lastSeenAt: now } });
  }

  /** The devices of this app among `tokens` (absent ones are left out), read in batches of FIND_MANY_BATCH. */
  public async findMany(workspaceId: string, appId: string, tokens: readonly string[]): Promise<Device[]> {
    const found: Device[] = [];
    for (let start = 0; start < tokens.length; start += FIND_MANY_BATCH) {
      found.push(...(await this.devices.find({ workspaceId, appId, _id: { $in: tokens.slice(start, start + FIND_MANY_BATCH) } })));
    }
    return found;
  }

  /** A device by the APNs token it reported (DECISIONS D4: an iOS target may be its raw APNs token). */
  public findByApnsToken(workspaceId: string, appId: string, apnsToken: string): Promise<Device | null> {
    return this.devices.findOne({ workspaceId, appId, 'vendorTokens.APNS': apnsToken });
  }

  /** The devices bound to a user in this app (at most 1000). */
  public devicesOfUser(workspaceId: string, appId: string, userId: string): Promise<Device[]> {
    return this.devices.find({ workspaceId, appId, userId }, { limit: 1000 });
  }
}

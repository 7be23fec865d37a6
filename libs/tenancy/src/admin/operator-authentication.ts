import type { PlatformLogger } from '@pushsync/platform';
import { AdminAuthenticationError } from '../tenancy.errors';
import { newAdminCredential, parseAdminCredential, hashSecret, secretMatches, type AdminKey } from './admin-key';
import type { AdminKeyRepository } from './admin-key.repository';
import type { Operator } from './operator';

export interface BootstrapOwner {
  /** A credential set by the environment (`PUSHSYNC_ADMIN_KEY=<id>.<secret>`), or none to generate one. */
  configured?: string;
  now: number;
  /** Where a generated credential is shown, once. */
  announce(credential: string): void;
}

/** Turns a bearer admin credential into an Operator and makes sure an owner key exists. */
export class OperatorAuthentication {
  public constructor(
    private readonly keys: AdminKeyRepository,
    private readonly logger: PlatformLogger,
  ) {}

  public async authenticate(authorization: string | undefined): Promise<Operator> {
    const match = /^Bearer\s+(\S+)$/.exec(authorization ?? '');
    if (!match) throw new AdminAuthenticationError('missing admin credential: send Authorization: Bearer <id>.<secret>');
    const credential = parseAdminCredential(match[1]);
    if (!credential) throw new AdminAuthenticationError('malformed admin credential: expected <id>.<secret>');
    const key = await this.keys.findActive(credential.id);
    if (!key || !secretMatches(credential.secret, key.secretHash)) throw new AdminAuthenticationError('unknown or revoked admin credential');
    return { id: key._id, role: key.role, apps: key.apps };
  }

  public async ensureBootstrapOwner(bootstrap: BootstrapOwner): Promise<void> {
    if (bootstrap.configured) {
      const credential = parseAdminCredential(bootstrap.configured);
      if (!credential) throw new Error('PUSHSYNC_ADMIN_KEY must look like <id>.<secret>');
      const existing = await this.keys.findById(credential.id);
      if (!existing) await this.keys.insert(this.ownerKey(credential.id, hashSecret(credential.secret), bootstrap.now, 'bootstrap (environment)'));
      else if (!secretMatches(credential.secret, existing.secretHash)) this.logger.warn({ id: credential.id }, 'PUSHSYNC_ADMIN_KEY differs from the stored key of that id; the stored one stays');
      return;
    }
    if ((await this.keys.countActiveOwners()) > 0) return;
    const credential = newAdminCredential();
    await this.keys.insert(this.ownerKey(credential.id, hashSecret(credential.secret), bootstrap.now, 'bootstrap (generated)'));
    bootstrap.announce(`${credential.id}.${credential.secret}`);
  }

  private ownerKey(id: string, secretHash: string, now: number, name: string): AdminKey {
    return { _id: id, name, role: 'owner', apps: [], secretHash, status: 'active', createdAt: now };
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { DomainError, type KeyValue } from '@pushsync/platform';
import { CLOCK, KEY_VALUE, Lifecycle, type Clock } from '@pushsync/runtime';
import {
  ReplayGuard,
  instanceIdOf,
  parseInstanceId,
  isAuthenticationError,
  verifyOpenApiRequest,
  verifyRestV1,
  type SignedHttpRequest,
  type TenantApp,
  type VerificationContext,
} from '@pushsync/tenancy';
import { TenancyServices } from '../tenancy-services';
import { KvNonceStore } from './kv-nonce-store';
import type { ClaimedApp, TenantContext } from './tenant-context';

interface ResolvedKey {
  secret: string;
  rsaPublicKeyPem?: string;
  app: TenantApp;
}

export class TenantRefusedError extends DomainError {}

/**
 * Authenticates tenant requests on the three faces (DECISIONS D2): finds the access key and its
 * app, checks the signature unless the app switched signatures off, refuses disabled apps and
 * keys that name another app (`mismatchCode`: INVALID_TENANT_ID for sync, APPID_WRONG for push).
 */
@Injectable()
export class TenantAuthenticator {
  private replayGuard: ReplayGuard | undefined;

  public constructor(
    private readonly tenancy: TenancyServices,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(KEY_VALUE) keyValue: KeyValue,
    lifecycle: Lifecycle,
  ) {
    lifecycle.register({
      name: 'nonce bucket',
      start: async () => {
        this.replayGuard = new ReplayGuard(new KvNonceStore(await keyValue.bucket(KvNonceStore.BUCKET)));
      },
    });
  }

  public async restV1(request: SignedHttpRequest, claimed: ClaimedApp, mismatchCode: string): Promise<TenantContext> {
    if (hasAuthorization(request)) {
      const verified = await this.verify(() => verifyRestV1(request, this.verificationContext()));
      return this.checked(verified.key.app, verified.accessKeyId, claimed, mismatchCode);
    }
    return this.unsigned(claimed, mismatchCode);
  }

  /**
   * MSS private-cloud face (`/webapi/sync/...?instanceId=`): signed like REST v1, the app named by
   * the `instanceId` query parameter, a key of another app refused with INVALID_TENANT_ID.
   */
  public async mssPrivateCloud(request: SignedHttpRequest, instanceId: string | undefined): Promise<TenantContext> {
    const claimed = instanceId === undefined ? null : parseInstanceId(instanceId);
    if (!claimed) throw new TenantRefusedError('INVALID_TENANT_ID', 'validation', `instanceId ${JSON.stringify(instanceId ?? '')} must be <workspaceId>_<appId>`);
    return this.restV1(request, claimed, 'INVALID_TENANT_ID');
  }

  /** mPaaS OpenAPI face; returns the merged request parameters too. */
  public async openApi(request: SignedHttpRequest, parameters: Record<string, string>, mismatchCode: string): Promise<TenantContext & { parameters: Record<string, string> }> {
    const signed = hasAuthorization(request) || 'Signature' in parameters;
    if (signed) {
      const verified = await this.verify(() => verifyOpenApiRequest(request, this.verificationContext()));
      const context = await this.checked(verified.key.app, verified.accessKeyId, claimedOf(verified.parameters), mismatchCode);
      return { ...context, parameters: verified.parameters };
    }
    return { ...(await this.unsigned(claimedOf(parameters), mismatchCode)), parameters };
  }

  private async unsigned(claimed: ClaimedApp, mismatchCode: string): Promise<TenantContext> {
    if (!claimed.appId || !claimed.workspaceId) throw new TenantRefusedError('MISSING_AUTHORIZATION', 'authentication', 'the request is not signed (no Authorization header) and names no appId and workspaceId');
    const app = await this.tenancy.apps.find(claimed.workspaceId, claimed.appId);
    if (!app || app.signatureEnabled) throw new TenantRefusedError('MISSING_AUTHORIZATION', 'authentication', 'the request is not signed: send the Authorization header (the app requires signatures)');
    return this.checked(app, null, claimed, mismatchCode);
  }

  private checked(app: TenantApp, accessKeyId: string | null, claimed: ClaimedApp, mismatchCode: string): TenantContext {
    if (app.status !== 'active') throw new TenantRefusedError('APP_DISABLED', 'forbidden', `app ${app._id} is disabled`);
    if ((claimed.appId !== undefined && claimed.appId !== app.appId) || (claimed.workspaceId !== undefined && claimed.workspaceId !== app.workspaceId)) {
      // Push codes carry their number (mps.md §3.17: 3007 APPID_WRONG); sync codes have none.
      const numericCode = mismatchCode === 'APPID_WRONG' ? 3007 : undefined;
      throw new TenantRefusedError(mismatchCode, 'forbidden', `this access key belongs to app ${app._id}, not ${instanceIdOf(claimed.workspaceId ?? '?', claimed.appId ?? '?')}`, numericCode);
    }
    return { app, accessKeyId };
  }

  private verificationContext(): VerificationContext<ResolvedKey> {
    if (!this.replayGuard) throw new TenantRefusedError('SYSTEM_ERROR', 'unavailable', 'service starting: the nonce store is not open yet');
    return {
      clock: this.clock,
      replayGuard: this.replayGuard,
      lookupKey: async (accessKeyId) => {
        const key = await this.tenancy.accessKeys.findActive(accessKeyId);
        const app = key && (await this.tenancy.apps.find(key.workspaceId, key.appId));
        if (!key || !app) return undefined;
        return { secret: key.secret, app, ...(app.rsaPublicKey ? { rsaPublicKeyPem: app.rsaPublicKey } : {}) };
      },
    };
  }

  private async verify<T>(verification: () => Promise<T>): Promise<T> {
    try {
      return await verification();
    } catch (error) {
      if (isAuthenticationError(error)) throw new TenantRefusedError(error.code, 'authentication', error.message);
      throw error;
    }
  }
}

function hasAuthorization(request: SignedHttpRequest): boolean {
  return Object.keys(request.headers).some((name) => name.toLowerCase() === 'authorization');
}

/** The compatibility face accepts UpperCamel and lowerCamel parameter names. */
function claimedOf(parameters: Record<string, string>): ClaimedApp {
  return { appId: parameters.AppId ?? parameters.appId, workspaceId: parameters.WorkspaceId ?? parameters.workspaceId };
}

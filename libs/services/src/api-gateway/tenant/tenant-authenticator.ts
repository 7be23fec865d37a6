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
import { TenantCredentials } from './tenant-credentials';
import { KvNonceStore } from './kv-nonce-store';
import type { ClaimedApp, TenantContext } from './tenant-context';

interface ResolvedKey {
  secret: string;
  rsaPublicKeyPem?: string;
  app: TenantApp;
}

export class TenantRefusedError extends DomainError {}

/** The mismatch code of the push face (every tenant route that is not Mobile Sync). */
const PUSH_MISMATCH = 'APPID_WRONG';

/** Authentication failures that have an mps.md §3.17 code on the push face: -1 SIGNATURE_MISMATCH, 3033 UNKNOWN_REST_SIGN_TYPE. */
const PUSH_AUTHENTICATION_CODES: Record<string, { name: string; numericCode: number }> = {
  SIGNATURE_MISMATCH: { name: 'SIGNATURE_MISMATCH', numericCode: -1 },
  UNSUPPORTED_SIGNATURE_METHOD: { name: 'UNKNOWN_REST_SIGN_TYPE', numericCode: 3033 },
};

/**
 * Authenticates tenant requests on the three faces (DECISIONS D2): finds the access key and its
 * app, checks the signature unless the app switched signatures off, refuses disabled apps and
 * keys that name another app (`mismatchCode`: INVALID_TENANT_ID for sync, APPID_WRONG for push).
 */
@Injectable()
export class TenantAuthenticator {
  private replayGuard: ReplayGuard | undefined;

  public constructor(
    private readonly credentials: TenantCredentials,
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
      const verified = await this.verify(() => verifyRestV1(request, this.verificationContext()), mismatchCode);
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
      const verified = await this.verify(() => verifyOpenApiRequest(request, this.verificationContext()), mismatchCode);
      const context = await this.checked(verified.key.app, verified.accessKeyId, claimedOf(verified.parameters), mismatchCode);
      return { ...context, parameters: verified.parameters };
    }
    return { ...(await this.unsigned(claimedOf(parameters), mismatchCode)), parameters };
  }

  private async unsigned(claimed: ClaimedApp, mismatchCode: string): Promise<TenantContext> {
    if (!claimed.appId || !claimed.workspaceId) throw new TenantRefusedError('MISSING_AUTHORIZATION', 'authentication', 'the request is not signed (no Authorization header) and names no appId and workspaceId');
    const app = await this.credentials.app(claimed.workspaceId, claimed.appId);
    if (!app || app.signatureEnabled) throw new TenantRefusedError('MISSING_AUTHORIZATION', 'authentication', 'the request is not signed: send the Authorization header (the app requires signatures)');
    return this.checked(app, null, claimed, mismatchCode);
  }

  private checked(app: TenantApp, accessKeyId: string | null, claimed: ClaimedApp, mismatchCode: string): TenantContext {
    if (app.status !== 'active') throw new TenantRefusedError('APP_DISABLED', 'forbidden', `app ${app._id} is disabled`);
    // On the push face an empty appId or workspaceId is a missing one (3003, answered by push-core), not another app.
    const named = (value: string | undefined) => value !== undefined && !(value === '' && mismatchCode === PUSH_MISMATCH);
    if ((named(claimed.appId) && claimed.appId !== app.appId) || (named(claimed.workspaceId) && claimed.workspaceId !== app.workspaceId)) {
      // Push codes carry their number (mps.md §3.17: 3007 APPID_WRONG); sync codes have none.
      const numericCode = mismatchCode === PUSH_MISMATCH ? 3007 : undefined;
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
        const found = await this.credentials.keyWithApp(accessKeyId);
        if (!found) return undefined;
        const { key, app } = found;
        return { secret: key.secret, app, ...(app.rsaPublicKey ? { rsaPublicKeyPem: app.rsaPublicKey } : {}) };
      },
    };
  }

  private async verify<T>(verification: () => Promise<T>, mismatchCode: string): Promise<T> {
    try {
      return await verification();
    } catch (error) {
      if (!isAuthenticationError(error)) throw error;
      const pushCode = mismatchCode === PUSH_MISMATCH ? PUSH_AUTHENTICATION_CODES[error.code] : undefined;
      if (pushCode) throw new TenantRefusedError(pushCode.name, 'authentication', error.message, pushCode.numericCode);
      throw new TenantRefusedError(error.code, 'authentication', error.message);
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

import type { PlatformKeys, TenantApp } from '@pushsync/tenancy';
import { consistencyRecordId, type ConsistencyRecord, type ConsistencyRecordRepository } from './consistency-records';
import type { ConsistencyValidator, ValidationResult } from './consistency-validator';

/** D3: a valid result is trusted this long, then re-checked at the next connect. */
export const CONSISTENCY_VALID_TTL_MS = 24 * 3600 * 1000;

/**
 * User consistency (mss.md §4, DECISIONS D3) as the delivery engine uses it: validate on bind,
 * re-validate on connect when the last result is missing, failed or stale, and gate
 * consistency-enabled configurations on the recorded result.
 */
export class UserConsistency {
  public constructor(
    private readonly records: ConsistencyRecordRepository,
    private readonly validator: ConsistencyValidator,
    private readonly platformKeys: PlatformKeys,
    private readonly clock: { now(): number },
  ) {}

  /** A bind (or re-bind) always validates again. */
  public onBind(app: TenantApp, deviceToken: string, userId: string, sessionId: string): Promise<ConsistencyRecord> {
    return this.validateAndRecord(app, deviceToken, userId, sessionId);
  }

  /**
   * Re-validates unless the last result for this (userId, sessionId) still stands: a valid one
   * younger than 24 h, or an `invalid` answer, which is the tenant's verdict and is re-checked
   * only at the next bind. Errors (no answer) are retried here.
   */
  public async onConnect(app: TenantApp, deviceToken: string, userId: string, sessionId: string): Promise<ConsistencyRecord> {
    const last = await this.records.find(app._id, deviceToken);
    if (last && last.userId === userId && last.sessionId === sessionId) {
      if (last.outcome === 'invalid') return last;
      if (last.outcome === 'valid' && this.isFresh(last)) return last;
    }
    return this.validateAndRecord(app, deviceToken, userId, sessionId);
  }

  /** Whether consistency-gated data may go to this device for this user (mss.md §4.3). */
  public async gate(app: TenantApp, deviceToken: string, userId: string, sessionId?: string): Promise<boolean> {
    const last = await this.records.find(app._id, deviceToken);
    if (!last || last.userId !== userId) return false;
    if (sessionId !== undefined && last.sessionId !== sessionId) return false;
    return last.outcome === 'valid' && this.isFresh(last);
  }

  private isFresh(record: ConsistencyRecord): boolean {
    return this.clock.now() - record.checkedAt < CONSISTENCY_VALID_TTL_MS;
  }

  private async validateAndRecord(app: TenantApp, deviceToken: string, userId: string, sessionId: string): Promise<ConsistencyRecord> {
    const checkedAt = this.clock.now();
    const result = await this.validate(app, userId, sessionId);
    const record: ConsistencyRecord = {
      _id: consistencyRecordId(app._id, deviceToken),
      appId: app.appId,
      workspaceId: app.workspaceId,
      deviceToken,
      userId,
      sessionId,
      outcome: result.outcome,
      reason: result.reason,
      checkedAt,
    };
    if (await this.records.saveUnlessNewer(record)) return record;
    return (await this.records.find(app._id, deviceToken)) ?? record;
  }

  private async validate(app: TenantApp, userId: string, sessionId: string): Promise<ValidationResult> {
    const validationUrl = app.syncValidationUrl;
    if (!validationUrl) return { outcome: 'error', reason: 'no validation URL configured' };
    return this.validator.validate({ instanceId: app._id, validationUrl, signer: await this.platformKeys.signerFor(app) }, userId, sessionId);
  }
}

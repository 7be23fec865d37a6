import { randomUUID } from 'node:crypto';
import type { Collection, Filter, Store } from '@pushsync/platform';
import { OPERATION_RETENTION_MS, type OperationAction, type OperationRecord } from './operation-record';

export interface OperationQuery {
  instanceId?: string;
  /** Operator-visible apps only; undefined = every app (owners). */
  visibleInstanceIds?: string[];
  operator?: string;
  action?: OperationAction;
  from: number;
  to: number;
  limit: number;
}

export const DEFAULT_OPERATION_WINDOW_MS = 7 * 24 * 3600 * 1000;
export const MAX_OPERATION_ROWS = 1000;

/** The time range of a query (DECISIONS D1): up to `to` (default now), from `from` (default 7 days before `to`). */
export function operationWindow(range: { from?: number; to?: number }, now: number): { from: number; to: number } {
  const to = range.to ?? now;
  return { from: range.from ?? to - DEFAULT_OPERATION_WINDOW_MS, to };
}

export class OperationRecordRepository {
  private constructor(private readonly records: Collection<OperationRecord>) {}

  public static async open(store: Store): Promise<OperationRecordRepository> {
    return new OperationRecordRepository(
      await store.collection<OperationRecord>({
        name: 'operation_records',
        indexes: [
          // query: one app's records in a time range, newest first.
          { name: 'app_time', fields: { instanceId: 1, at: -1 } },
          // query without app filter (owners) and purgeExpired.
          { name: 'time', fields: { at: -1 } },
        ],
      }),
    );
  }

  public async record(entry: { instanceId: string | null; operator: string; action: OperationAction; at: number; details: OperationRecord['details'] }): Promise<void> {
    await this.records.insertOne({ _id: randomUUID(), ...entry, expiresAt: entry.at + OPERATION_RETENTION_MS });
  }

  public query(query: OperationQuery): Promise<OperationRecord[]> {
    const filter: Filter = { at: { $gte: query.from, $lte: query.to } };
    if (query.instanceId !== undefined) filter.instanceId = query.instanceId;
    else if (query.visibleInstanceIds !== undefined) filter.instanceId = { $in: query.visibleInstanceIds };
    if (query.operator !== undefined) filter.operator = query.operator;
    if (query.action !== undefined) filter.action = query.action;
    return this.records.find(filter, { sort: { at: -1 }, limit: Math.min(query.limit, MAX_OPERATION_ROWS) });
  }

  public purgeExpired(now: number): Promise<number> {
    return this.records.deleteMany({ expiresAt: { $lt: now } });
  }
}

import mongoose from 'mongoose';
import { isTransientStoreError, retryTransient } from './mongo-store.adapter';

/** The errors FerretDB v1.24.2 (SQLite handler) answered to concurrent writers, as the driver raises them. */
function ferretDbError(errmsg: string): Error {
  return new mongoose.mongo.MongoServerError({ ok: 0, code: 1, codeName: 'InternalError', errmsg });
}

const busyOnUpdate = ferretDbError(
  '[msg_update.go:133 handler.(*Handler).updateDocument] [update.go:114 common.UpdateDocument] [collection.go:191 sqlite.(*collection).UpdateAll] [collection.go:177 sqlite.(*collection).UpdateAll.func1] database is locked (5) (SQLITE_BUSY)',
);
const busyOnFindAndModify = ferretDbError(
  '[msg_findandmodify.go:196 handler.(*Handler).findAndModifyDocument] [update.go:114 common.UpdateDocument] [collection.go:191 sqlite.(*collection).UpdateAll] [collection.go:177 sqlite.(*collection).UpdateAll.func1] database is locked (5) (SQLITE_BUSY)',
);
const uniqueViolation = ferretDbError('[collection.go:191 sqlite.(*collection).UpdateAll] constraint failed: UNIQUE constraint failed: sync_oplogs.orderId (2067)');
const duplicateKey = new mongoose.mongo.MongoServerError({ ok: 0, code: 11000, codeName: 'DuplicateKey', errmsg: 'E11000 duplicate key error collection: db.c' });

describe('isTransientStoreError', () => {
  it("recognises FerretDB's SQLITE_BUSY answers", () => {
    expect(isTransientStoreError(busyOnUpdate)).toBe(true);
    expect(isTransientStoreError(busyOnFindAndModify)).toBe(true);
    expect(isTransientStoreError(ferretDbError('database table is locked (6) (SQLITE_LOCKED)'))).toBe(true);
  });

  it('leaves every other error alone: a refused write, a duplicate, a broken connection, other internal errors', () => {
    expect(isTransientStoreError(uniqueViolation)).toBe(false);
    expect(isTransientStoreError(duplicateKey)).toBe(false);
    expect(isTransientStoreError(new mongoose.mongo.MongoNetworkError('connection reset'))).toBe(false);
    expect(isTransientStoreError(ferretDbError('[msg_insert.go:90] invalid document'))).toBe(false);
    expect(isTransientStoreError(new Error('database is locked (5) (SQLITE_BUSY)'))).toBe(false);
    expect(isTransientStoreError(undefined)).toBe(false);
  });
});

describe('retryTransient', () => {
  it('runs the operation again after transient errors and returns its result', async () => {
    const operation = jest.fn().mockRejectedValueOnce(busyOnUpdate).mockRejectedValueOnce(busyOnFindAndModify).mockResolvedValue('done');
    await expect(retryTransient(operation)).resolves.toBe('done');
    expect(operation).toHaveBeenCalledTimes(3);
  });

  it('gives up after 5 attempts with the last error', async () => {
    const operation = jest.fn().mockRejectedValue(busyOnUpdate);
    await expect(retryTransient(operation)).rejects.toBe(busyOnUpdate);
    expect(operation).toHaveBeenCalledTimes(5);
  });

  it('never repeats an operation that failed otherwise', async () => {
    const operation = jest.fn().mockRejectedValue(duplicateKey);
    await expect(retryTransient(operation)).rejects.toBe(duplicateKey);
    expect(operation).toHaveBeenCalledTimes(1);
  });
});

import mongoose from 'mongoose';
import { DependencyUnavailableError, DuplicateKeyError } from '../errors/platform.error';
import { readPath } from './document-path';
import type {
  Collection,
  CollectionSpec,
  Filter,
  FindOptions,
  InsertOutcome,
  JsonValue,
  SortSpec,
  Store,
  StoredDocument,
  Update,
  UpdateResult,
} from './store.port';

type MongoDocument = mongoose.mongo.Document;
/** One document an unordered insertMany refused: `code` and `errmsg` as a single write's error would carry them. */
type WriteError = { index: number; code: number; errmsg?: string };
type MongoCollection<D extends MongoDocument> = mongoose.mongo.Collection<D>;

const DUPLICATE_KEY = 11000;
/**
 * FerretDB 1.x reports a unique index refusing an update as InternalError (code 1) with its backend's
 * message: SQLite's "UNIQUE constraint failed", PostgreSQL's "duplicate key value violates unique
 * constraint ... (SQLSTATE 23505)".
 */
const FERRETDB_UNIQUE_VIOLATION = /UNIQUE constraint failed|SQLSTATE 23505/;

/**
 * FerretDB 1.x (SQLite) refusing a write transaction because another connection wrote first:
 * InternalError (code 1) whose message ends with SQLite's "database is locked (5) (SQLITE_BUSY)"
 * (seen on updateOne and findOneAndUpdate under concurrent writers). SQLite rolled the whole
 * transaction back, so the operation did not happen and running it again is safe.
 */
const FERRETDB_BUSY = /\(SQLITE_(?:BUSY|LOCKED)(?:_[A-Z]+)?\)|database (?:table )?is locked/;
const TRANSIENT_ATTEMPTS = 5;

export function isTransientStoreError(error: unknown): boolean {
  const mongoError = error as { code?: number; message?: string } | null;
  return mongoError?.code === 1 && FERRETDB_BUSY.test(mongoError.message ?? '');
}

/** 40, 80, 160, 320 ms, each jittered down to half so that colliding writers spread out: at most 600 ms in all. */
function transientBackoffMs(attempt: number): number {
  const ceiling = 40 * 2 ** (attempt - 1);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/**
 * Retries only errors after which the operation is known not to have happened (isTransientStoreError),
 * so a retried insert that reports a duplicate key met someone else's document, never its own
 * first attempt: the sync intake's DUPLICATED_BIZ_ID and the sequencer's id claims stay truthful.
 * Network errors are not retried here: a write may have landed before the connection broke.
 */
export async function retryTransient<R>(operation: () => Promise<R>): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= TRANSIENT_ATTEMPTS || !isTransientStoreError(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, transientBackoffMs(attempt)));
    }
  }
}

function translateError(collection: string, error: unknown): Error {
  const mongoError = error as { code?: number; message?: string; errmsg?: string; keyPattern?: Record<string, unknown> };
  if (mongoError.code === DUPLICATE_KEY) {
    const index = mongoError.keyPattern ? Object.keys(mongoError.keyPattern).join(',') : '_id';
    return new DuplicateKeyError(collection, index, { cause: error });
  }
  if (mongoError.code === 1 && FERRETDB_UNIQUE_VIOLATION.test(mongoError.message ?? mongoError.errmsg ?? '')) {
    return new DuplicateKeyError(collection, 'unique index', { cause: error });
  }
  const name = (error as Error).name ?? '';
  if (isTransientStoreError(error) || /MongoNetwork|Mongo(?:ose)?ServerSelection|MongoNotConnected|MongoTopologyClosed/.test(name)) {
    return new DependencyUnavailableError('mongodb', (error as Error).message, { cause: error });
  }
  return error as Error;
}

class MongoStoreCollection<T extends StoredDocument> implements Collection<T> {
  public constructor(
    private readonly native: MongoCollection<MongoDocument>,
    /** Whether `{_id: {$in: ids}}` runs as one operation per id (see idListSplit). */
    private readonly splitsIdLists: boolean,
  ) {}

  public get name(): string {
    return this.native.collectionName;
  }

  public async insertOne(document: T): Promise<void> {
    await this.run(() => this.native.insertOne(document as MongoDocument));
  }

  /** Not retried on a transient error, unlike the other operations: part of the call may have landed, and its own documents would then read as duplicates. */
  public async insertMany(documents: T[]): Promise<InsertOutcome[]> {
    const outcomes = documents.map((): InsertOutcome => 'inserted');
    if (documents.length === 0) return outcomes;
    try {
      await this.native.insertMany(documents as MongoDocument[], { ordered: false });
    } catch (error) {
      const refused = (error as { writeErrors?: WriteError | WriteError[] }).writeErrors;
      const writeErrors = refused === undefined ? [] : ([] as WriteError[]).concat(refused);
      if (writeErrors.length === 0 || !writeErrors.every((writeError) => translateError(this.name, writeError) instanceof DuplicateKeyError)) throw translateError(this.name, error);
      for (const writeError of writeErrors) outcomes[writeError.index] = 'duplicate';
    }
    return outcomes;
  }

  public async findOne(filter: Filter): Promise<T | null> {
    return (await this.run(() => this.native.findOne(filter as MongoDocument))) as T | null;
  }

  public async find(filter: Filter, options: FindOptions = {}): Promise<T[]> {
    const perId = this.idListSplit(filter);
    if (perId) return pageOf((await Promise.all(perId.map((one) => this.findOne(one)))).filter((found): found is Awaited<T> => found !== null), options);
    return (await this.run(() => {
      let cursor = this.native.find(filter as MongoDocument);
      if (options.sort) cursor = cursor.sort(options.sort);
      if (options.skip) cursor = cursor.skip(options.skip);
      if (options.limit !== undefined) cursor = cursor.limit(options.limit);
      return cursor.toArray();
    })) as unknown as T[];
  }

  public async count(filter: Filter): Promise<number> {
    if (this.idListSplit(filter) !== null) return (await this.find(filter)).length;
    return this.run(() => this.native.countDocuments(filter as MongoDocument));
  }

  public async updateOne(filter: Filter, update: Update, options: { upsert?: boolean } = {}): Promise<UpdateResult> {
    const result = await this.run(() => this.native.updateOne(filter as MongoDocument, this.withUpsertId(filter, update, options.upsert), { upsert: options.upsert }));
    return {
      matched: result.matchedCount,
      modified: result.modifiedCount,
      ...(result.upsertedId ? { upsertedId: String(result.upsertedId) } : {}),
    };
  }

  public async updateMany(filter: Filter, update: Update): Promise<UpdateResult> {
    const perId = this.idListSplit(filter);
    if (perId) {
      const results = await Promise.all(perId.map((one) => this.updateOne(one, update)));
      return { matched: results.reduce((sum, result) => sum + result.matched, 0), modified: results.reduce((sum, result) => sum + result.modified, 0) };
    }
    const result = await this.run(() => this.native.updateMany(filter as MongoDocument, update as MongoDocument));
    return { matched: result.matchedCount, modified: result.modifiedCount };
  }

  public async findOneAndUpdate(filter: Filter, update: Update, options: { upsert?: boolean; sort?: SortSpec } = {}): Promise<T | null> {
    const result = await this.run(() =>
      this.native.findOneAndUpdate(filter as MongoDocument, this.withUpsertId(filter, update, options.upsert), {
        upsert: options.upsert,
        sort: options.sort,
        returnDocument: 'after',
        includeResultMetadata: false,
      }),
    );
    return result as T | null;
  }

  public async deleteOne(filter: Filter): Promise<number> {
    return (await this.run(() => this.native.deleteOne(filter as MongoDocument))).deletedCount;
  }

  public async deleteMany(filter: Filter): Promise<number> {
    const perId = this.idListSplit(filter);
    if (perId) return (await Promise.all(perId.map((one) => this.deleteOne(one)))).reduce((sum, deleted) => sum + deleted, 0);
    return (await this.run(() => this.native.deleteMany(filter as MongoDocument))).deletedCount;
  }

  /**
   * FerretDB 1.x pushes no `$in` down to its backend: a filter on a list of ids reads and decodes
   * the whole collection. On FerretDB such a filter (`_id: {$in: ids}` beside plain conditions) runs
   * as one operation per id instead, each answered from the `_id` index.
   */
  private idListSplit(filter: Filter): Filter[] | null {
    if (!this.splitsIdLists) return null;
    const id = filter._id;
    if (id === null || typeof id !== 'object' || Array.isArray(id) || Object.keys(id).length !== 1 || !Array.isArray(id.$in)) return null;
    return [...new Set(id.$in)].map((value) => ({ ...filter, _id: value }));
  }

  /**
   * The port promises string ids; MongoDB would otherwise invent an ObjectId on upsert. A filter
   * that fixes `_id` seeds it itself, and a second `_id` in $setOnInsert would be refused.
   */
  private withUpsertId(filter: Filter, update: Update, upsert: boolean | undefined): MongoDocument {
    if (!upsert || fixesId(filter)) return update as MongoDocument;
    return { ...update, $setOnInsert: { _id: new mongoose.Types.ObjectId().toHexString(), ...update.$setOnInsert } } as MongoDocument;
  }

  private async run<R>(operation: () => Promise<R>): Promise<R> {
    try {
      return await retryTransient(operation);
    } catch (error) {
      throw translateError(this.name, error);
    }
  }
}

/** Sorts, skips and limits in memory what per-id reads found, ordering values as MongoDB does for the port's JSON values. */
function pageOf<T extends StoredDocument>(documents: T[], options: FindOptions): T[] {
  const sort = Object.entries(options.sort ?? {});
  const sorted = sort.length === 0 ? documents : [...documents].sort((a, b) => {
    for (const [path, direction] of sort) {
      const order = compareValues(readPath(a, path), readPath(b, path));
      if (order !== 0) return order * direction;
    }
    return 0;
  });
  const from = options.skip ?? 0;
  return sorted.slice(from, options.limit === undefined || options.limit === 0 ? undefined : from + options.limit);
}

/** MongoDB's order of types: missing and null, numbers, strings, objects, arrays, booleans. */
function typeRank(value: JsonValue | undefined): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') return 1;
  if (typeof value === 'string') return 2;
  if (typeof value === 'boolean') return 5;
  return Array.isArray(value) ? 4 : 3;
}

function compareValues(a: JsonValue | undefined, b: JsonValue | undefined): number {
  const rank = typeRank(a) - typeRank(b);
  if (rank !== 0) return rank;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return 0;
}

function fixesId(filter: Filter): boolean {
  const id = filter._id;
  return typeof id === 'string' || (id !== null && typeof id === 'object' && !Array.isArray(id) && '$eq' in id);
}

/**
 * Operations in flight per process unless MONGO_URL sets `maxPoolSize`. FerretDB 1.x (SQLite) keeps
 * at most 100 SQLite connections per database, and an update holds one for its read while it waits
 * for another for its write: about 100 concurrent updates on one database deadlock it for good (seen
 * with a 120-writer probe). Every service of a deployment shares that budget.
 */
const DEFAULT_MAX_POOL_SIZE = 10;

/** Cluster Store adapter: MongoDB (or a wire-compatible server) through mongoose's connection. */
export class MongoStore implements Store {
  public readonly kind = 'mongodb' as const;
  private readonly connection: mongoose.Connection;
  /** Whether the server is FerretDB, asked once. */
  private ferretDb: Promise<boolean> | undefined;

  public constructor(url: string) {
    this.connection = mongoose.createConnection(url, {
      ...(/[?&]maxPoolSize=/i.test(url) ? {} : { maxPoolSize: DEFAULT_MAX_POOL_SIZE }),
      writeConcern: { w: 'majority', journal: true },
      serverSelectionTimeoutMS: 5000,
      heartbeatFrequencyMS: 2000,
    });
    // The connection retries by itself; errors surface through ping() and the operations.
    this.connection.on('error', () => undefined);
  }

  public async collection<T extends StoredDocument>(spec: CollectionSpec): Promise<Collection<T>> {
    await this.connected().catch((error: unknown) => {
      throw translateError(spec.name, error);
    });
    const native = this.connection.db!.collection(spec.name);
    for (const index of spec.indexes ?? []) {
      await native.createIndex(index.fields, { name: index.name, unique: index.unique ?? false }).catch((error: unknown) => {
        throw translateError(spec.name, error);
      });
    }
    this.ferretDb ??= this.connection.db!.admin().command({ buildInfo: 1 }).then((info) => typeof info.ferretdbVersion === 'string');
    return new MongoStoreCollection<T>(native, await this.ferretDb.catch((error: unknown) => {
      this.ferretDb = undefined;
      throw translateError(spec.name, error);
    }));
  }

  public async ping(): Promise<void> {
    try {
      await this.connected();
      await this.connection.db!.command({ ping: 1 });
    } catch (error) {
      throw new DependencyUnavailableError('mongodb', (error as Error).message, { cause: error });
    }
  }

  public async close(): Promise<void> {
    await this.connection.close(true);
  }

  private async connected(): Promise<void> {
    await this.connection.asPromise();
  }
}

/**
 * Store port: collections of JSON documents with the small MongoDB query subset the
 * domains use. Values are JSON values only (times are epoch milliseconds, binary is base64);
 * `_id` is always a string. Both adapters must pass `store.conformance.ts`.
 */
export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue | undefined };

export interface StoredDocument {
  _id: string;
  [field: string]: JsonValue | undefined;
}

export interface FieldCondition {
  $eq?: JsonValue;
  $ne?: JsonValue;
  $gt?: number | string;
  $gte?: number | string;
  $lt?: number | string;
  $lte?: number | string;
  $in?: JsonPrimitive[];
  $nin?: JsonPrimitive[];
  $exists?: boolean;
}

/** Field paths may be dotted (`"settings.timeZone"`). Array-membership matching is not part of the port. */
export interface Filter {
  $and?: Filter[];
  $or?: Filter[];
  [fieldPath: string]: JsonPrimitive | FieldCondition | Filter[] | undefined;
}

export interface Update {
  $set?: Record<string, JsonValue>;
  $unset?: Record<string, true | 1 | ''>;
  $inc?: Record<string, number>;
  $setOnInsert?: Record<string, JsonValue>;
  $push?: Record<string, JsonValue>;
}

export type SortSpec = Record<string, 1 | -1>;

export interface FindOptions {
  sort?: SortSpec;
  limit?: number;
  skip?: number;
}

export interface IndexSpec {
  /** Stable name; the adapters create it idempotently. */
  name: string;
  fields: SortSpec;
  unique?: boolean;
}

export interface CollectionSpec {
  name: string;
  indexes?: IndexSpec[];
}

export interface UpdateResult {
  matched: number;
  modified: number;
  upsertedId?: string;
}

/** What became of one document of an insertMany. */
export type InsertOutcome = 'inserted' | 'duplicate';

export interface Collection<T extends StoredDocument> {
  readonly name: string;
  /** Throws DuplicateKeyError when `_id` or a unique index already holds the value. */
  insertOne(document: T): Promise<void>;
  /**
   * Inserts each document as insertOne would, in one round trip: the outcome of each, in order, is
   * 'duplicate' where `_id` or a unique index (or an earlier document of the call) already held the
   * value. Any other failure rejects the whole call, and some documents may have been inserted.
   */
  insertMany(documents: T[]): Promise<InsertOutcome[]>;
  findOne(filter: Filter): Promise<T | null>;
  find(filter: Filter, options?: FindOptions): Promise<T[]>;
  count(filter: Filter): Promise<number>;
  updateOne(filter: Filter, update: Update, options?: { upsert?: boolean }): Promise<UpdateResult>;
  updateMany(filter: Filter, update: Update): Promise<UpdateResult>;
  /** Atomically updates the first match and returns it as it is after the update. */
  findOneAndUpdate(filter: Filter, update: Update, options?: { upsert?: boolean; sort?: SortSpec }): Promise<T | null>;
  deleteOne(filter: Filter): Promise<number>;
  deleteMany(filter: Filter): Promise<number>;
}

export interface Store {
  readonly kind: 'mongodb' | 'embedded';
  /** Opens (and creates the indexes of) a collection. Idempotent. */
  collection<T extends StoredDocument>(spec: CollectionSpec): Promise<Collection<T>>;
  /** Resolves when the backing server answers; rejects with DependencyUnavailableError otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { DuplicateKeyError } from '../errors/platform.error';
import { applyUpdate, seedFromFilter } from './apply-update';
import { fieldExpression, filterToSql, sortToSql } from './sql-filter';
import { openDurableDatabase } from './sqlite-database';
import type {
  Collection,
  CollectionSpec,
  Filter,
  InsertOutcome,
  FindOptions,
  SortSpec,
  Store,
  StoredDocument,
  Update,
  UpdateResult,
} from './store.port';

const COLLECTION_NAME = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;

interface Row {
  id: string;
  doc: string;
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT') === true;
}

function indexNameFrom(error: unknown, fallback: string): string {
  const match = /UNIQUE constraint failed: (.+)$/.exec((error as Error).message);
  return match ? match[1] : fallback;
}

class SqliteCollection<T extends StoredDocument> implements Collection<T> {
  private readonly table: string;
  /** Prepared statements by SQL text: preparing on every call was 5-7 % of a push's CPU. */
  private readonly statements = new Map<string, Database.Statement>();

  public constructor(
    private readonly database: Database.Database,
    public readonly name: string,
  ) {
    this.table = `c_${name}`;
  }

  private statement(sql: string): Database.Statement {
    let prepared = this.statements.get(sql);
    if (prepared === undefined) {
      prepared = this.database.prepare(sql);
      if (this.statements.size >= 500) this.statements.clear();
      this.statements.set(sql, prepared);
    }
    return prepared;
  }

  public async insertOne(document: T): Promise<void> {
    this.insertRow(document);
  }

  public async insertMany(documents: T[]): Promise<InsertOutcome[]> {
    return this.database.transaction(() =>
      documents.map((document): InsertOutcome => {
        try {
          this.insertRow(document);
          return 'inserted';
        } catch (error) {
          if (error instanceof DuplicateKeyError) return 'duplicate';
          throw error;
        }
      }),
    )();
  }

  public async findOne(filter: Filter): Promise<T | null> {
    return this.select(filter, { limit: 1 })[0] ?? null;
  }

  public async find(filter: Filter, options: FindOptions = {}): Promise<T[]> {
    return this.select(filter, options);
  }

  public async count(filter: Filter): Promise<number> {
    const where = filterToSql(filter);
    const row = this.statement(`SELECT count(*) AS n FROM ${this.table} WHERE ${where.sql}`).get(...where.params) as { n: number };
    return row.n;
  }

  public async updateOne(filter: Filter, update: Update, options: { upsert?: boolean } = {}): Promise<UpdateResult> {
    return this.database.transaction(() => this.updateFirst(filter, update, options.upsert === true, undefined).result)();
  }

  public async updateMany(filter: Filter, update: Update): Promise<UpdateResult> {
    return this.database.transaction(() => {
      const rows = this.select(filter, {});
      let modified = 0;
      for (const row of rows) {
        const next = applyUpdate(row, update, false);
        if (this.replaceRow(row, next)) modified += 1;
      }
      return { matched: rows.length, modified };
    })();
  }

  public async findOneAndUpdate(filter: Filter, update: Update, options: { upsert?: boolean; sort?: SortSpec } = {}): Promise<T | null> {
    return this.database.transaction(() => this.updateFirst(filter, update, options.upsert === true, options.sort).document)();
  }

  public async deleteOne(filter: Filter): Promise<number> {
    const where = filterToSql(filter);
    const info = this.statement(`DELETE FROM ${this.table} WHERE id IN (SELECT id FROM ${this.table} WHERE ${where.sql} LIMIT 1)`).run(...where.params);
    return info.changes;
  }

  public async deleteMany(filter: Filter): Promise<number> {
    const where = filterToSql(filter);
    return this.statement(`DELETE FROM ${this.table} WHERE ${where.sql}`).run(...where.params).changes;
  }

  private updateFirst(filter: Filter, update: Update, upsert: boolean, sort: SortSpec | undefined): { result: UpdateResult; document: T | null } {
    const [current] = this.select(filter, { limit: 1, sort });
    if (current) {
      const next = applyUpdate(current, update, false);
      const modified = this.replaceRow(current, next) ? 1 : 0;
      return { result: { matched: 1, modified }, document: next };
    }
    if (!upsert) return { result: { matched: 0, modified: 0 }, document: null };
    const seed = seedFromFilter(filter) as Partial<T>;
    const inserted = applyUpdate({ _id: randomBytes(12).toString('hex'), ...seed } as T, update, true);
    this.insertRow(inserted);
    return { result: { matched: 0, modified: 0, upsertedId: inserted._id }, document: inserted };
  }

  private select(filter: Filter, options: FindOptions): T[] {
    const where = filterToSql(filter);
    let sql = `SELECT id, doc FROM ${this.table} WHERE ${where.sql}${sortToSql(options.sort)}`;
    if (options.limit !== undefined || options.skip !== undefined) sql += ` LIMIT ${options.limit ?? -1} OFFSET ${options.skip ?? 0}`;
    const rows = this.statement(sql).all(...where.params) as Row[];
    return rows.map((row) => ({ ...(JSON.parse(row.doc) as T), _id: row.id }));
  }

  private insertRow(document: T): void {
    if (typeof document._id !== 'string' || document._id.length === 0) throw new TypeError(`${this.name}: _id must be a non-empty string`);
    try {
      this.statement(`INSERT INTO ${this.table} (id, doc) VALUES (?, ?)`).run(document._id, JSON.stringify(withoutId(document)));
    } catch (error) {
      if (isUniqueViolation(error)) throw new DuplicateKeyError(this.name, indexNameFrom(error, '_id'), { cause: error });
      throw error;
    }
  }

  /** Returns whether the stored document changed. */
  private replaceRow(current: T, next: T): boolean {
    if (next._id !== current._id) throw new TypeError(`${this.name}: _id is immutable`);
    const serialized = JSON.stringify(withoutId(next));
    if (serialized === JSON.stringify(withoutId(current))) return false;
    try {
      this.statement(`UPDATE ${this.table} SET doc = ? WHERE id = ?`).run(serialized, current._id);
    } catch (error) {
      if (isUniqueViolation(error)) throw new DuplicateKeyError(this.name, indexNameFrom(error, 'unique index'), { cause: error });
      throw error;
    }
    return true;
  }
}

function withoutId<T extends StoredDocument>(document: T): Omit<T, '_id'> {
  const { _id: _ignored, ...rest } = document;
  return rest;
}

/** Embedded Store adapter: one SQLite file, a table per collection, JSON documents with expression indexes. */
export class SqliteStore implements Store {
  public readonly kind = 'embedded' as const;
  private readonly database: Database.Database;
  private readonly collections = new Map<string, SqliteCollection<StoredDocument>>();

  public constructor(file: string) {
    this.database = openDurableDatabase(file);
  }

  public async collection<T extends StoredDocument>(spec: CollectionSpec): Promise<Collection<T>> {
    if (!COLLECTION_NAME.test(spec.name)) throw new TypeError(`invalid collection name ${spec.name}`);
    const table = `c_${spec.name}`;
    this.database.exec(`CREATE TABLE IF NOT EXISTS ${table} (id TEXT PRIMARY KEY, doc TEXT NOT NULL)`);
    for (const index of spec.indexes ?? []) {
      if (!COLLECTION_NAME.test(index.name)) throw new TypeError(`invalid index name ${index.name}`);
      const columns = Object.entries(index.fields).map(([path, direction]) => `${fieldExpression(path)} ${direction === 1 ? 'ASC' : 'DESC'}`);
      this.database.exec(`CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${table}__${index.name} ON ${table} (${columns.join(', ')})`);
    }
    let collection = this.collections.get(spec.name);
    if (!collection) {
      collection = new SqliteCollection(this.database, spec.name);
      this.collections.set(spec.name, collection);
    }
    return collection as unknown as Collection<T>;
  }

  public async ping(): Promise<void> {
    this.database.prepare('SELECT 1').get();
  }

  public async close(): Promise<void> {
    if (this.database.open) this.database.close();
  }
}

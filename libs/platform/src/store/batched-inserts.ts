import { Coalescer } from '../batching/coalescer';
import { DuplicateKeyError } from '../errors/platform.error';
import type { Collection, InsertOutcome, StoredDocument } from './store.port';

/** Documents inserted in one round trip at most. */
const MAX_BATCH = 500;

/**
 * insertOne's contract over insertMany's round trips: inserts into a collection made while one is
 * in flight share the next call (a Coalescer), which matters where each round trip costs more than
 * the write itself (FerretDB).
 */
export class BatchedInserts<T extends StoredDocument> {
  private readonly coalescer: Coalescer<T, InsertOutcome>;

  public constructor(private readonly collection: Collection<T>) {
    this.coalescer = new Coalescer((documents) => collection.insertMany(documents), { maxBatch: MAX_BATCH });
  }

  /** Throws DuplicateKeyError when `_id` or a unique index already holds the value. */
  public async insert(document: T): Promise<void> {
    if ((await this.coalescer.submit(document)) === 'duplicate') throw new DuplicateKeyError(this.collection.name, '_id or a unique index');
  }
}

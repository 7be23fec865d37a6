import { readPath, writePath } from './document-path';
import type { Filter, JsonValue, StoredDocument, Update } from './store.port';

/** Applies a port `Update` to a copy of `document`, with MongoDB's semantics for the supported operators. */
export function applyUpdate<T extends StoredDocument>(document: T, update: Update, inserting: boolean): T {
  const next = structuredClone(document);
  for (const [path, value] of Object.entries(update.$set ?? {})) writePath(next, path, value);
  if (inserting) {
    for (const [path, value] of Object.entries(update.$setOnInsert ?? {})) writePath(next, path, value);
  }
  for (const path of Object.keys(update.$unset ?? {})) writePath(next, path, undefined);
  for (const [path, amount] of Object.entries(update.$inc ?? {})) {
    const current = readPath(next, path);
    if (current !== undefined && typeof current !== 'number') {
      throw new TypeError(`cannot $inc non-numeric field ${path}`);
    }
    writePath(next, path, (current ?? 0) + amount);
  }
  for (const [path, value] of Object.entries(update.$push ?? {})) {
    const current = readPath(next, path);
    if (current !== undefined && !Array.isArray(current)) throw new TypeError(`cannot $push to non-array field ${path}`);
    writePath(next, path, [...(current ?? []), value]);
  }
  return next;
}

/** The document an upsert starts from: the equality conditions of the filter. */
export function seedFromFilter(filter: Filter): Record<string, JsonValue> {
  const seed: Record<string, JsonValue> = {};
  for (const [path, condition] of Object.entries(filter)) {
    if (path.startsWith('$') || condition === undefined) continue;
    if (condition === null || typeof condition !== 'object') {
      writePath(seed, path, condition);
    } else if (!Array.isArray(condition) && '$eq' in condition && condition.$eq !== undefined) {
      writePath(seed, path, condition.$eq);
    }
  }
  return seed;
}

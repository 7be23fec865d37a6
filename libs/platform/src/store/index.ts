export * from './store.port';
export { SqliteStore } from './sqlite-store.adapter';
export { MongoStore } from './mongo-store.adapter';
export { openDurableDatabase } from './sqlite-database';
export { BatchedInserts } from './batched-inserts';

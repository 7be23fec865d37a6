import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { DependencyUnavailableError, DuplicateKeyError } from '../errors/platform.error';
import { clusterEnv, uniqueName } from '../testing/cluster-env';
import { MongoStore } from './mongo-store.adapter';
import { SqliteStore } from './sqlite-store.adapter';
import type { Collection, CollectionSpec, Filter, IndexSpec, Store, StoredDocument } from './store.port';

/** How a suite opens (and reopens) the same backing data, and removes it afterwards. */
interface Backend {
  open(): Store;
  dispose(): Promise<void>;
  /** Known deviation of the server behind the adapter: FerretDB 1.x updates are not atomic (see the concurrency test). */
  nonAtomicUpdates(): Promise<string | undefined>;
}

/** The cluster URL with its database replaced, so that every run works in a database of its own. */
function withDatabase(url: string, database: string): string {
  const match = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(?:\/[^?]*)?(\?.*)?$/.exec(url);
  if (!match) throw new Error(`unexpected MONGO_URL ${url}`);
  return `${match[1]}/${database}${match[2] ?? ''}`;
}

/** FerretDB's version when the server at `url` is FerretDB (it answers buildInfo with `ferretdbVersion`), else undefined. */
async function ferretDbVersion(url: string): Promise<string | undefined> {
  const connection = await mongoose.createConnection(url, { serverSelectionTimeoutMS: 5000 }).asPromise();
  try {
    const info = await connection.db!.admin().command({ buildInfo: 1 });
    return typeof info.ferretdbVersion === 'string' ? info.ferretdbVersion : undefined;
  } finally {
    await connection.close(true);
  }
}

async function dropDatabase(url: string): Promise<void> {
  const connection = await mongoose.createConnection(url, { serverSelectionTimeoutMS: 5000 }).asPromise();
  try {
    await connection.dropDatabase();
  } finally {
    await connection.close(true);
  }
}

const backends: Array<[Store['kind'], () => Backend]> = [
  [
    'embedded',
    () => {
      const directory = mkdtempSync(join(tmpdir(), 'store-conformance-'));
      const file = join(directory, 'store.sqlite');
      return {
        open: () => new SqliteStore(file),
        dispose: async () => rmSync(directory, { recursive: true, force: true }),
        nonAtomicUpdates: async () => undefined,
      };
    },
  ],
  [
    'mongodb',
    () => {
      const url = withDatabase(clusterEnv().mongoUrl, uniqueName('store_conformance'));
      return {
        open: () => new MongoStore(url),
        dispose: () => dropDatabase(url),
        nonAtomicUpdates: async () => {
          const version = await ferretDbVersion(url);
          return version?.startsWith('v1.') ? `FerretDB ${version}` : undefined;
        },
      };
    },
  ],
];

const ids = (documents: StoredDocument[]): string[] => documents.map((document) => document._id);
const sortedIds = (documents: StoredDocument[]): string[] => ids(documents).sort();

describe.each(backends)('Store conformance: %s', (kind, createBackend) => {
  let backend: Backend;
  let store: Store;

  const newCollection = <T extends StoredDocument = StoredDocument>(indexes: IndexSpec[] = []): Promise<Collection<T>> =>
    store.collection<T>({ name: uniqueName('c'), indexes });

  beforeAll(() => {
    backend = createBackend();
    store = backend.open();
  });

  afterAll(async () => {
    await store.close();
    await backend.dispose();
  });

  it('has the expected kind and answers ping', async () => {
    expect(store.kind).toBe(kind);
    await expect(store.ping()).resolves.toBeUndefined();
  });

  describe('insert and find', () => {
    it('stores a document and reads it back by _id and by fields, values intact', async () => {
      const users = await newCollection();
      const alice = {
        _id: 'u-alice',
        name: 'alice',
        age: 30,
        ratio: 0.25,
        active: true,
        nothing: null,
        tags: ['a', 'b'],
        profile: { city: 'Paris', zip: '75001', prefs: { theme: 'dark', sizes: [1, 2, 3] } },
        createdAt: 1_767_225_600_123,
      };
      await users.insertOne(alice);
      await users.insertOne({ _id: 'u-bob', name: 'bob', age: 25, active: false });
      expect(await users.findOne({ _id: 'u-alice' })).toEqual(alice);
      expect(await users.findOne({ name: 'alice', age: 30 })).toEqual(alice);
      expect(await users.findOne({ 'profile.prefs.theme': 'dark' })).toEqual(alice);
      expect((await users.findOne({ name: 'bob' }))?._id).toBe('u-bob');
      expect(await users.findOne({ _id: 'u-nobody' })).toBeNull();
      expect(await users.findOne({ name: 'alice', age: 31 })).toBeNull();
      expect(sortedIds(await users.find({}))).toEqual(['u-alice', 'u-bob']);
    });

    it('refuses a duplicate _id with DuplicateKeyError and keeps the first document', async () => {
      const items = await newCollection();
      await items.insertOne({ _id: 'one', value: 1 });
      const error = await items.insertOne({ _id: 'one', value: 2 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DuplicateKeyError);
      expect((error as DuplicateKeyError).collection).toBe(items.name);
      expect(await items.findOne({ _id: 'one' })).toEqual({ _id: 'one', value: 1 });
      await items.insertOne({ _id: 'two', value: 2 });
      expect(await items.count({})).toBe(2);
    });

    it('refuses a duplicate value of a single-field unique index, and other values still insert', async () => {
      const accounts = await newCollection([{ name: 'email_unique', fields: { email: 1 }, unique: true }]);
      await accounts.insertOne({ _id: 'a1', email: 'x@example.com' });
      await expect(accounts.insertOne({ _id: 'a2', email: 'x@example.com' })).rejects.toBeInstanceOf(DuplicateKeyError);
      expect(await accounts.findOne({ _id: 'a2' })).toBeNull();
      await accounts.insertOne({ _id: 'a2', email: 'y@example.com' });
      expect(sortedIds(await accounts.find({}))).toEqual(['a1', 'a2']);
    });

    it('inserts many documents at once, answering duplicate for each one whose _id or unique value is taken, also by an earlier one of the call', async () => {
      const accounts = await newCollection([{ name: 'email_unique', fields: { email: 1 }, unique: true }]);
      await accounts.insertOne({ _id: 'a1', email: 'x@example.com' });
      expect(await accounts.insertMany([])).toEqual([]);
      const outcomes = await accounts.insertMany([
        { _id: 'a2', email: 'y@example.com' },
        { _id: 'a1', email: 'z@example.com' },
        { _id: 'a3', email: 'x@example.com' },
        { _id: 'a4', email: 'w@example.com' },
        { _id: 'a4', email: 'v@example.com' },
        { _id: 'a5', email: 'y@example.com' },
      ]);
      expect(outcomes).toEqual(['inserted', 'duplicate', 'duplicate', 'inserted', 'duplicate', 'duplicate']);
      expect(sortedIds(await accounts.find({}))).toEqual(['a1', 'a2', 'a4']);
      expect((await accounts.findOne({ _id: 'a1' }))?.email).toBe('x@example.com');
      expect((await accounts.findOne({ _id: 'a4' }))?.email).toBe('w@example.com');
    });

    it('refuses a duplicate pair of a compound unique index, and the same values in other pairs still insert', async () => {
      const devices = await newCollection([{ name: 'app_token_unique', fields: { appId: 1, 'device.token': 1 }, unique: true }]);
      await devices.insertOne({ _id: 'd1', appId: 'app1', device: { token: 't1' } });
      await expect(devices.insertOne({ _id: 'd2', appId: 'app1', device: { token: 't1' } })).rejects.toBeInstanceOf(DuplicateKeyError);
      await devices.insertOne({ _id: 'd2', appId: 'app1', device: { token: 't2' } });
      await devices.insertOne({ _id: 'd3', appId: 'app2', device: { token: 't1' } });
      expect(await devices.count({})).toBe(3);
    });

    it('refuses an update that would break a unique index, leaving the document unchanged', async () => {
      const accounts = await newCollection([{ name: 'email_unique', fields: { email: 1 }, unique: true }]);
      await accounts.insertOne({ _id: 'a1', email: 'x@example.com' });
      await accounts.insertOne({ _id: 'a2', email: 'y@example.com' });
      await expect(accounts.updateOne({ _id: 'a2' }, { $set: { email: 'x@example.com' } })).rejects.toBeInstanceOf(DuplicateKeyError);
      expect(await accounts.findOne({ _id: 'a2' })).toEqual({ _id: 'a2', email: 'y@example.com' });
    });

    it('sorts ascending, descending and by several fields, with skip and limit', async () => {
      const rows = await newCollection();
      const data = [
        { _id: 'r1', group: 'b', rank: 2, label: 'delta' },
        { _id: 'r2', group: 'a', rank: 3, label: 'alpha' },
        { _id: 'r3', group: 'b', rank: 1, label: 'echo' },
        { _id: 'r4', group: 'a', rank: 1, label: 'charlie' },
        { _id: 'r5', group: 'c', rank: 5, label: 'bravo' },
        { _id: 'r6', group: 'a', rank: 2, label: 'foxtrot' },
      ];
      for (const row of data) await rows.insertOne(row);
      expect(ids(await rows.find({}, { sort: { rank: 1, _id: 1 } }))).toEqual(['r3', 'r4', 'r1', 'r6', 'r2', 'r5']);
      expect(ids(await rows.find({}, { sort: { label: -1 } }))).toEqual(['r6', 'r3', 'r1', 'r4', 'r5', 'r2']);
      expect(ids(await rows.find({}, { sort: { group: 1, rank: -1 } }))).toEqual(['r2', 'r6', 'r4', 'r1', 'r3', 'r5']);
      expect(ids(await rows.find({}, { sort: { group: -1, rank: 1 } }))).toEqual(['r5', 'r3', 'r1', 'r4', 'r6', 'r2']);
      expect(ids(await rows.find({}, { sort: { _id: -1 } }))).toEqual(['r6', 'r5', 'r4', 'r3', 'r2', 'r1']);
      expect(ids(await rows.find({}, { sort: { label: 1 }, limit: 2 }))).toEqual(['r2', 'r5']);
      expect(ids(await rows.find({}, { sort: { label: 1 }, skip: 4 }))).toEqual(['r3', 'r6']);
      expect(ids(await rows.find({}, { sort: { label: 1 }, skip: 1, limit: 3 }))).toEqual(['r5', 'r4', 'r1']);
      expect(ids(await rows.find({ group: 'a' }, { sort: { rank: -1 }, limit: 2 }))).toEqual(['r2', 'r6']);
      expect(await rows.find({}, { sort: { label: 1 }, skip: 6 })).toEqual([]);
    });

    it('counts the matching documents', async () => {
      const rows = await newCollection();
      for (let i = 0; i < 7; i++) await rows.insertOne({ _id: `n${i}`, n: i, even: i % 2 === 0 });
      expect(await rows.count({})).toBe(7);
      expect(await rows.count({ even: true })).toBe(4);
      expect(await rows.count({ n: { $gte: 5 } })).toBe(2);
      expect(await rows.count({ n: { $gt: 100 } })).toBe(0);
    });
  });

  describe('filters', () => {
    let people: Collection<StoredDocument>;

    beforeAll(async () => {
      people = await newCollection();
      const data: StoredDocument[] = [
        { _id: 'a', name: 'alice', age: 30, active: true, city: 'Paris', note: null, profile: { lang: 'fr', level: 3 } },
        { _id: 'b', name: 'bob', age: 25, active: false, city: 'Lyon', profile: { lang: 'en', level: 1 } },
        { _id: 'c', name: 'carol', age: 35, active: true, city: null, profile: { lang: 'fr' } },
        // Same-looking values of other types, which no filter on the typed values may match.
        { _id: 'd', name: 'dave', age: '40', active: 'true', profile: null },
        { _id: 'e', name: 'eve', age: 1, active: 1 },
        { _id: 'f', name: 'frank', age: 28.5 },
      ];
      for (const document of data) await people.insertOne(document);
    });

    const matching = async (filter: Filter): Promise<string[]> => {
      const found = sortedIds(await people.find(filter));
      // count() must agree with find() on every filter.
      expect(await people.count(filter)).toBe(found.length);
      return found;
    };

    it('matches equality on strings, numbers and booleans, never across types', async () => {
      expect(await matching({ name: 'bob' })).toEqual(['b']);
      expect(await matching({ name: { $eq: 'bob' } })).toEqual(['b']);
      expect(await matching({ age: 30 })).toEqual(['a']);
      expect(await matching({ age: 28.5 })).toEqual(['f']);
      expect(await matching({ age: 40 })).toEqual([]);
      expect(await matching({ age: '40' })).toEqual(['d']);
      expect(await matching({ active: true })).toEqual(['a', 'c']);
      expect(await matching({ active: false })).toEqual(['b']);
      expect(await matching({ active: 1 })).toEqual(['e']);
      expect(await matching({ active: 'true' })).toEqual(['d']);
      expect(await matching({ name: 'alice', active: true })).toEqual(['a']);
      expect(await matching({ name: 'alice', active: false })).toEqual([]);
    });

    it('matches null against null and missing fields', async () => {
      expect(await matching({ city: null })).toEqual(['c', 'd', 'e', 'f']);
      expect(await matching({ note: null })).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
      expect(await matching({ city: { $eq: null } })).toEqual(['c', 'd', 'e', 'f']);
    });

    it('follows dotted paths into nested objects', async () => {
      expect(await matching({ 'profile.lang': 'fr' })).toEqual(['a', 'c']);
      expect(await matching({ 'profile.level': 1 })).toEqual(['b']);
      expect(await matching({ 'profile.level': { $gte: 2 } })).toEqual(['a']);
      expect(await matching({ 'profile.level': { $exists: true } })).toEqual(['a', 'b']);
      // Through a null parent, a missing parent or a missing leaf, the path reads as missing.
      expect(await matching({ 'profile.lang': null })).toEqual(['d', 'e', 'f']);
      expect(await matching({ 'profile.level': null })).toEqual(['c', 'd', 'e', 'f']);
    });

    it('$ne matches every other value, null and missing fields included', async () => {
      expect(await matching({ city: { $ne: 'Paris' } })).toEqual(['b', 'c', 'd', 'e', 'f']);
      expect(await matching({ age: { $ne: 30 } })).toEqual(['b', 'c', 'd', 'e', 'f']);
      expect(await matching({ active: { $ne: true } })).toEqual(['b', 'd', 'e', 'f']);
      expect(await matching({ 'profile.lang': { $ne: 'fr' } })).toEqual(['b', 'd', 'e', 'f']);
      expect(await matching({ city: { $ne: null } })).toEqual(['a', 'b']);
    });

    it('compares numbers with $gt/$gte/$lt/$lte, never matching strings or booleans', async () => {
      expect(await matching({ age: { $gt: 25 } })).toEqual(['a', 'c', 'f']);
      expect(await matching({ age: { $gte: 25 } })).toEqual(['a', 'b', 'c', 'f']);
      expect(await matching({ age: { $lt: 28.5 } })).toEqual(['b', 'e']);
      expect(await matching({ age: { $lte: 28.5 } })).toEqual(['b', 'e', 'f']);
      expect(await matching({ age: { $gte: 25, $lt: 30 } })).toEqual(['b', 'f']);
      expect(await matching({ age: { $gt: 0, $lt: 1000 } })).toEqual(['a', 'b', 'c', 'e', 'f']);
      expect(await matching({ active: { $gte: 0 } })).toEqual(['e']);
      expect(await matching({ city: { $gt: 0 } })).toEqual([]);
    });

    it('compares strings with $gt/$gte/$lt/$lte, never matching numbers', async () => {
      expect(await matching({ name: { $gt: 'c' } })).toEqual(['c', 'd', 'e', 'f']);
      expect(await matching({ name: { $lt: 'bob' } })).toEqual(['a']);
      expect(await matching({ name: { $lte: 'bob' } })).toEqual(['a', 'b']);
      expect(await matching({ name: { $gte: 'carol', $lt: 'eve' } })).toEqual(['c', 'd']);
      expect(await matching({ age: { $gte: '0' } })).toEqual(['d']);
      expect(await matching({ city: { $gte: 'A' } })).toEqual(['a', 'b']);
    });

    it('answers a list of ids beside other conditions: found sorted, skipped and limited, counted, updated and deleted', async () => {
      const rows = await newCollection();
      for (const [id, rank, group] of [['r1', 3, 'x'], ['r2', 1, 'x'], ['r3', 2, 'y'], ['r4', null, 'x'], ['r5', 5, 'x']] as const) await rows.insertOne({ _id: id, rank, group });
      const listed = { _id: { $in: ['r1', 'r2', 'r3', 'r4', 'r2', 'missing'] }, group: 'x' };
      expect(ids(await rows.find(listed, { sort: { rank: 1 } }))).toEqual(['r4', 'r2', 'r1']);
      expect(ids(await rows.find(listed, { sort: { rank: -1 }, skip: 1, limit: 1 }))).toEqual(['r2']);
      expect(await rows.count(listed)).toBe(3);
      expect(await rows.updateMany(listed, { $set: { group: 'z' } })).toEqual({ matched: 3, modified: 3 });
      expect((await rows.findOne({ _id: 'r2' }))?.group).toBe('z');
      expect((await rows.findOne({ _id: 'r3' }))?.group).toBe('y');
      expect(await rows.deleteMany({ _id: { $in: ['r1', 'r3', 'missing'] } })).toBe(2);
      expect(sortedIds(await rows.find({}))).toEqual(['r2', 'r4', 'r5']);
    });

    it('$in and $nin match any / none of the values, by type, null matching missing', async () => {
      expect(await matching({ name: { $in: ['alice', 'eve', 'zed'] } })).toEqual(['a', 'e']);
      expect(await matching({ age: { $in: [30, '40'] } })).toEqual(['a', 'd']);
      expect(await matching({ active: { $in: [true] } })).toEqual(['a', 'c']);
      expect(await matching({ city: { $in: ['Lyon', null] } })).toEqual(['b', 'c', 'd', 'e', 'f']);
      expect(await matching({ name: { $in: [] } })).toEqual([]);
      expect(await matching({ city: { $nin: ['Paris', 'Lyon'] } })).toEqual(['c', 'd', 'e', 'f']);
      expect(await matching({ age: { $nin: [30, 25] } })).toEqual(['c', 'd', 'e', 'f']);
      expect(await matching({ city: { $nin: [null] } })).toEqual(['a', 'b']);
      expect(await matching({ name: { $nin: [] } })).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    });

    it('$exists tells present fields (null included) from missing ones', async () => {
      expect(await matching({ city: { $exists: true } })).toEqual(['a', 'b', 'c']);
      expect(await matching({ city: { $exists: false } })).toEqual(['d', 'e', 'f']);
      expect(await matching({ note: { $exists: true } })).toEqual(['a']);
      expect(await matching({ profile: { $exists: true } })).toEqual(['a', 'b', 'c', 'd']);
    });

    it('combines conditions with $and, $or and implicit and', async () => {
      expect(await matching({ $or: [{ name: 'alice' }, { age: { $lt: 26 } }] })).toEqual(['a', 'b', 'e']);
      expect(await matching({ $and: [{ active: true }, { $or: [{ city: 'Paris' }, { city: null }] }] })).toEqual(['a', 'c']);
      expect(await matching({ active: true, $or: [{ age: { $gt: 32 } }, { city: 'Lyon' }] })).toEqual(['c']);
      expect(await matching({ $and: [{ age: { $gt: 20 } }, { age: { $lt: 31 } }] })).toEqual(['a', 'b', 'f']);
      expect(await matching({ $or: [{ city: { $ne: 'Paris' } }, { name: 'alice' }], active: true })).toEqual(['a', 'c']);
    });
  });

  describe('updates', () => {
    it('updateOne applies $set (dotted paths create and keep nested fields), $unset and $inc', async () => {
      const rows = await newCollection();
      await rows.insertOne({ _id: 'x', name: 'old', count: 5, settings: { theme: 'dark', tz: 'UTC' }, temp: 'gone soon', nested: { drop: 1, keep: 2 } });
      const result = await rows.updateOne(
        { _id: 'x' },
        {
          $set: { name: 'new', 'settings.tz': 'Europe/Paris', 'created.by.user': 'u1', flag: false, list: [1, 'two'] },
          $unset: { temp: true, 'nested.drop': 1 },
          $inc: { count: 2, fresh: 3, 'stats.hits': 1, ratio: -0.5 },
        },
      );
      expect(result).toEqual({ matched: 1, modified: 1 });
      expect(await rows.findOne({ _id: 'x' })).toEqual({
        _id: 'x',
        name: 'new',
        count: 7,
        fresh: 3,
        ratio: -0.5,
        flag: false,
        list: [1, 'two'],
        settings: { theme: 'dark', tz: 'Europe/Paris' },
        created: { by: { user: 'u1' } },
        stats: { hits: 1 },
        nested: { keep: 2 },
      });
    });

    it('updateOne $push appends to an array and creates a missing one', async () => {
      const rows = await newCollection();
      await rows.insertOne({ _id: 'x', events: ['a'] });
      await rows.updateOne({ _id: 'x' }, { $push: { events: 'b', 'log.entries': { at: 1, what: 'created' } } });
      await rows.updateOne({ _id: 'x' }, { $push: { events: 'c' } });
      expect(await rows.findOne({ _id: 'x' })).toEqual({ _id: 'x', events: ['a', 'b', 'c'], log: { entries: [{ at: 1, what: 'created' }] } });
    });

    it('updateOne changes only the first match and reports matched/modified; $setOnInsert is ignored without insert', async () => {
      const rows = await newCollection();
      await rows.insertOne({ _id: 'a', kind: 'k', v: 1 });
      await rows.insertOne({ _id: 'b', kind: 'k', v: 1 });
      expect(await rows.updateOne({ kind: 'k' }, { $set: { v: 2 }, $setOnInsert: { createdBy: 'upsert' } })).toEqual({ matched: 1, modified: 1 });
      expect(await rows.count({ v: 2 })).toBe(1);
      expect(await rows.count({ createdBy: { $exists: true } })).toBe(0);
      expect(await rows.updateOne({ kind: 'none' }, { $set: { v: 3 } })).toEqual({ matched: 0, modified: 0 });
      // Setting the value it already has matches without modifying.
      expect(await rows.updateOne({ v: 2 }, { $set: { v: 2 } })).toEqual({ matched: 1, modified: 0 });
      // A failed update changes nothing.
      expect(await rows.count({ kind: 'none' })).toBe(0);
    });

    it('upsert inserts a document seeded from the equality fields of the filter, with a string _id', async () => {
      const rows = await newCollection();
      const result = await rows.updateOne(
        { tenant: 't1', 'device.os': 'ios', score: { $gt: 3 }, active: { $eq: true } },
        { $set: { name: 'n' }, $inc: { hits: 1 }, $setOnInsert: { createdAt: 123 } },
        { upsert: true },
      );
      expect(result.matched).toBe(0);
      expect(result.modified).toBe(0);
      expect(typeof result.upsertedId).toBe('string');
      expect(result.upsertedId!.length).toBeGreaterThan(0);
      const inserted = await rows.findOne({ _id: result.upsertedId! });
      expect(inserted).toEqual({ _id: result.upsertedId, tenant: 't1', device: { os: 'ios' }, active: true, name: 'n', hits: 1, createdAt: 123 });

      // An upsert whose filter now matches updates that document; $setOnInsert no longer applies.
      const again = await rows.updateOne({ tenant: 't1', 'device.os': 'ios' }, { $inc: { hits: 1 }, $setOnInsert: { createdAt: 999 } }, { upsert: true });
      expect(again).toEqual({ matched: 1, modified: 1 });
      expect(await rows.findOne({ _id: result.upsertedId! })).toMatchObject({ hits: 2, createdAt: 123 });
      expect(await rows.count({})).toBe(1);
    });

    it('upsert with an _id in the filter inserts under that _id', async () => {
      const rows = await newCollection();
      const result = await rows.updateOne({ _id: 'chosen', tenant: 't1' }, { $set: { v: 1 }, $setOnInsert: { createdAt: 5 } }, { upsert: true });
      expect(result).toEqual({ matched: 0, modified: 0, upsertedId: 'chosen' });
      expect(await rows.findOne({ _id: 'chosen' })).toEqual({ _id: 'chosen', tenant: 't1', v: 1, createdAt: 5 });
      const after = await rows.findOneAndUpdate({ _id: 'other' }, { $inc: { n: 1 } }, { upsert: true });
      expect(after).toEqual({ _id: 'other', n: 1 });
    });

    it('updateMany updates every match and counts matched and modified', async () => {
      const rows = await newCollection();
      for (let i = 0; i < 6; i++) await rows.insertOne({ _id: `m${i}`, group: i < 4 ? 'g' : 'h', state: i === 0 ? 'done' : 'new' });
      expect(await rows.updateMany({ group: 'g' }, { $set: { state: 'done' }, $setOnInsert: { never: true } })).toEqual({ matched: 4, modified: 3 });
      expect(sortedIds(await rows.find({ state: 'done' }))).toEqual(['m0', 'm1', 'm2', 'm3']);
      expect(await rows.count({ never: { $exists: true } })).toBe(0);
      expect(await rows.updateMany({ group: 'none' }, { $set: { state: 'x' } })).toEqual({ matched: 0, modified: 0 });
      expect(await rows.updateMany({}, { $inc: { n: 1 } })).toEqual({ matched: 6, modified: 6 });
      expect(await rows.count({ n: 1 })).toBe(6);
    });

    it('findOneAndUpdate returns the document after the update, or null when nothing matches', async () => {
      const rows = await newCollection();
      await rows.insertOne({ _id: 'x', n: 1, keep: 'me' });
      expect(await rows.findOneAndUpdate({ _id: 'x' }, { $inc: { n: 1 }, $set: { 'meta.by': 'test' } })).toEqual({ _id: 'x', n: 2, keep: 'me', meta: { by: 'test' } });
      expect(await rows.findOneAndUpdate({ _id: 'y' }, { $inc: { n: 1 } })).toBeNull();
      expect(await rows.count({})).toBe(1);
    });

    it('findOneAndUpdate updates the first match in sort order', async () => {
      const jobs = await newCollection();
      for (const [id, priority] of [['j1', 5], ['j2', 9], ['j3', 1], ['j4', 7]] as const) await jobs.insertOne({ _id: id, priority, state: 'queued' });
      const first = await jobs.findOneAndUpdate({ state: 'queued' }, { $set: { state: 'taken' } }, { sort: { priority: -1 } });
      expect(first).toEqual({ _id: 'j2', priority: 9, state: 'taken' });
      const second = await jobs.findOneAndUpdate({ state: 'queued' }, { $set: { state: 'taken' } }, { sort: { priority: 1 } });
      expect(second).toEqual({ _id: 'j3', priority: 1, state: 'taken' });
      const third = await jobs.findOneAndUpdate({ state: 'queued' }, { $set: { state: 'taken' } }, { sort: { priority: -1 } });
      expect(third?._id).toBe('j4');
      expect(sortedIds(await jobs.find({ state: 'queued' }))).toEqual(['j1']);
    });

    it('findOneAndUpdate with upsert inserts and returns the new document, then updates it', async () => {
      const counters = await newCollection();
      const created = await counters.findOneAndUpdate({ name: 'c1' }, { $inc: { value: 1 }, $setOnInsert: { createdAt: 10 } }, { upsert: true });
      expect(created).toEqual({ _id: expect.any(String), name: 'c1', value: 1, createdAt: 10 });
      const updated = await counters.findOneAndUpdate({ name: 'c1' }, { $inc: { value: 1 }, $setOnInsert: { createdAt: 20 } }, { upsert: true });
      expect(updated).toEqual({ _id: created!._id, name: 'c1', value: 2, createdAt: 10 });
      expect(await counters.count({})).toBe(1);
    });
  });

  describe('deletes', () => {
    it('deleteOne removes one match and deleteMany every match, both returning the count', async () => {
      const rows = await newCollection();
      for (let i = 0; i < 6; i++) await rows.insertOne({ _id: `d${i}`, group: i < 4 ? 'g' : 'h' });
      expect(await rows.deleteOne({ group: 'g' })).toBe(1);
      expect(await rows.count({ group: 'g' })).toBe(3);
      expect(await rows.deleteOne({ group: 'none' })).toBe(0);
      expect(await rows.deleteOne({ _id: 'd5' })).toBe(1);
      expect(await rows.findOne({ _id: 'd5' })).toBeNull();
      expect(await rows.deleteMany({ group: 'g' })).toBe(3);
      expect(await rows.deleteMany({ group: 'g' })).toBe(0);
      expect(ids(await rows.find({}))).toEqual(['d4']);
      expect(await rows.deleteMany({})).toBe(1);
      expect(await rows.count({})).toBe(0);
    });
  });

  describe('concurrency', () => {
    it('50 concurrent findOneAndUpdate $inc on one document are atomic (on FerretDB 1.x: that each applied at most once)', async () => {
      const counters = await newCollection();
      await counters.insertOne({ _id: 'counter', value: 0 });
      const results = await Promise.all(Array.from({ length: 50 }, () => counters.findOneAndUpdate({ _id: 'counter' }, { $inc: { value: 1 } })));
      const final = (await counters.findOne({ _id: 'counter' }))?.value;
      const deviation = await backend.nonAtomicUpdates();
      if (deviation) {
        // Known server limitation, not an adapter bug: FerretDB 1.x reads, then writes the document
        // outside a transaction (FerretDB/FerretDB#3040), so concurrent updates may get lost and the
        // port's atomicity does not hold there. How many depends on timing: on SQLite some were lost
        // in every run, on PostgreSQL in some runs only. Code must not rely on it (docs/decisions.md).
        expect(final).toBeGreaterThanOrEqual(1);
        expect(final).toBeLessThanOrEqual(50);
        return;
      }
      expect(final).toBe(50);
      // Every caller saw its own increment.
      expect(results.map((document) => document?.value).sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    });

    it('of 20 concurrent inserts of the same unique key exactly one succeeds', async () => {
      const sessions = await newCollection([{ name: 'token_unique', fields: { token: 1 }, unique: true }]);
      const outcomes = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => sessions.insertOne({ _id: `s${i}`, token: 'same' })));
      const fulfilled = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      const rejected = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
      expect(fulfilled).toHaveLength(1);
      expect(rejected).toHaveLength(19);
      for (const outcome of rejected) expect(outcome.reason).toBeInstanceOf(DuplicateKeyError);
      expect(await sessions.count({ token: 'same' })).toBe(1);
    });
  });

  describe('collections', () => {
    it('collection() is idempotent: opening twice with the same indexes keeps data and constraints', async () => {
      const name = uniqueName('c');
      const spec: CollectionSpec = { name, indexes: [{ name: 'email_unique', fields: { email: 1 }, unique: true }, { name: 'by_age', fields: { age: -1 } }] };
      const first = await store.collection(spec);
      await first.insertOne({ _id: '1', email: 'a@x', age: 1 });
      const second = await store.collection(spec);
      expect(second.name).toBe(name);
      expect(await second.findOne({ _id: '1' })).toEqual({ _id: '1', email: 'a@x', age: 1 });
      await expect(second.insertOne({ _id: '2', email: 'a@x', age: 2 })).rejects.toBeInstanceOf(DuplicateKeyError);
      await second.insertOne({ _id: '2', email: 'b@x', age: 2 });
      expect(await first.count({})).toBe(2);
    });

    it('keeps collections apart', async () => {
      const one = await newCollection();
      const two = await newCollection();
      await one.insertOne({ _id: 'same', in: 'one' });
      await two.insertOne({ _id: 'same', in: 'two' });
      expect(await one.findOne({ _id: 'same' })).toEqual({ _id: 'same', in: 'one' });
      expect(await two.findOne({ _id: 'same' })).toEqual({ _id: 'same', in: 'two' });
    });

    it('keeps documents and unique indexes across close and reopen', async () => {
      const spec: CollectionSpec = { name: uniqueName('c'), indexes: [{ name: 'email_unique', fields: { email: 1 }, unique: true }] };
      const before = await store.collection(spec);
      await before.insertOne({ _id: 'p1', email: 'p@x', nested: { n: 1 } });
      await before.updateOne({ _id: 'p1' }, { $inc: { 'nested.n': 1 } });
      await store.close();
      store = backend.open();
      const after = await store.collection(spec);
      expect(await after.findOne({ email: 'p@x' })).toEqual({ _id: 'p1', email: 'p@x', nested: { n: 2 } });
      await expect(after.insertOne({ _id: 'p2', email: 'p@x' })).rejects.toBeInstanceOf(DuplicateKeyError);
    });
  });

  if (kind === 'mongodb') {
    it('rejects ping with DependencyUnavailableError, in bounded time, when the server is unreachable', async () => {
      const unreachable = new MongoStore('mongodb://127.0.0.1:1/x');
      const started = Date.now();
      try {
        const [ping, open] = await Promise.allSettled([unreachable.ping(), unreachable.collection({ name: 'anything' })]);
        const elapsed = Date.now() - started;
        expect(ping.status === 'rejected' && ping.reason).toBeInstanceOf(DependencyUnavailableError);
        expect(open.status === 'rejected' && open.reason).toBeInstanceOf(DependencyUnavailableError);
        expect(elapsed).toBeLessThan(8000);
      } finally {
        await unreachable.close();
      }
    }, 15000);
  }
});

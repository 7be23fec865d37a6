import { connect } from 'nats';
import { createLogger } from '../logging/logger';
import { clusterEnv, uniqueName } from '../testing/cluster-env';
import { InProcessKeyValue } from './in-process-kv.adapter';
import type { KeyValue, KvBucket, KvChange } from './kv.port';
import { NatsKeyValue } from './nats-kv.adapter';
import { eventually, sleep } from '../testing/eventually';

const logger = createLogger({ service: 'kv-conformance', level: process.env.LOG_LEVEL ?? 'silent' });

const adapters: Array<[string, () => KeyValue]> = [
  ['in-process', () => new InProcessKeyValue({ logger })],
  ['nats', () => new NatsKeyValue({ url: clusterEnv().natsUrl, name: 'kv-conformance', logger })],
];

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const decode = (data: Uint8Array | undefined): string | undefined => (data === undefined ? undefined : new TextDecoder().decode(data));


/** Removes the JetStream streams behind the buckets a NATS run created. */
async function deleteNatsBuckets(names: string[]): Promise<void> {
  const connection = await connect({ servers: clusterEnv().natsUrl });
  const manager = await connection.jetstreamManager();
  await Promise.all(names.map((name) => manager.streams.delete(`KV_${name}`).catch(() => undefined)));
  await connection.close();
}

describe.each(adapters)('KeyValue conformance: %s', (kind, create) => {
  let store: KeyValue;
  const created: string[] = [];

  const newBucket = (ttlMs?: number): Promise<KvBucket> => {
    const name = uniqueName('kv');
    created.push(name);
    return store.bucket({ name, ...(ttlMs === undefined ? {} : { ttlMs }) });
  };

  beforeAll(() => {
    store = create();
  });

  afterAll(async () => {
    await store.close();
    if (kind === 'nats') await deleteNatsBuckets(created);
  });

  it('has the expected kind and answers ping', async () => {
    expect(store.kind).toBe(kind);
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it('stores values and increases the revision on every write of the bucket', async () => {
    const bucket = await newBucket();
    const first = await bucket.put('user.1', encode('a'));
    const second = await bucket.put('user.1', encode('b'));
    const third = await bucket.put('user.2', encode('c'));
    expect(second).toBeGreaterThan(first);
    expect(third).toBeGreaterThan(second);
    const entry = await bucket.get('user.1');
    expect(entry).not.toBeNull();
    expect(entry!.key).toBe('user.1');
    expect(decode(entry!.value)).toBe('b');
    expect(entry!.revision).toBe(second);
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    await bucket.put('bytes', bytes);
    expect(Array.from((await bucket.get('bytes'))!.value)).toEqual(Array.from(bytes));
  });

  it('returns null for a missing key', async () => {
    const bucket = await newBucket();
    expect(await bucket.get('nothing.here')).toBeNull();
  });

  it('deletes a key', async () => {
    const bucket = await newBucket();
    await bucket.put('gone', encode('x'));
    await bucket.put('kept', encode('y'));
    await bucket.delete('gone');
    expect(await bucket.get('gone')).toBeNull();
    expect(await bucket.keys()).toEqual(['kept']);
  });

  it('creates only absent keys', async () => {
    const bucket = await newBucket();
    const revision = await bucket.create('lock', encode('owner-1'));
    expect(typeof revision).toBe('number');
    expect(await bucket.create('lock', encode('owner-2'))).toBeNull();
    expect(decode((await bucket.get('lock'))!.value)).toBe('owner-1');
    await bucket.delete('lock');
    const again = await bucket.create('lock', encode('owner-3'));
    expect(again).toBeGreaterThan(revision!);
    expect(decode((await bucket.get('lock'))!.value)).toBe('owner-3');
  });

  it('updates only from the current revision', async () => {
    const bucket = await newBucket();
    const first = await bucket.put('counter', encode('1'));
    const second = await bucket.update('counter', encode('2'), first);
    expect(second).not.toBeNull();
    expect(second).toBeGreaterThan(first);
    expect(await bucket.update('counter', encode('stale'), first)).toBeNull();
    const entry = await bucket.get('counter');
    expect(decode(entry!.value)).toBe('2');
    expect(entry!.revision).toBe(second);
    expect(await bucket.update('absent', encode('x'), second!)).toBeNull();
    expect(await bucket.get('absent')).toBeNull();
  });

  it('rejects invalid keys and patterns with TypeError', async () => {
    const bucket = await newBucket();
    for (const key of ['', 'a b', '.a', 'a.', 'a..b', 'a.*', 'a.>', 'a/b', 'ä']) {
      await expect(bucket.put(key, encode('x'))).rejects.toBeInstanceOf(TypeError);
      await expect(bucket.get(key)).rejects.toBeInstanceOf(TypeError);
    }
    await expect(bucket.keys('a.>.b')).rejects.toBeInstanceOf(TypeError);
    await expect(bucket.watch('a b', () => undefined)).rejects.toBeInstanceOf(TypeError);
  });

  it('lists keys matching a pattern', async () => {
    const bucket = await newBucket();
    for (const key of ['users.1.name', 'users.2.name', 'users.2.age', 'groups.1']) await bucket.put(key, encode(key));
    expect(await bucket.keys('users.*.name')).toEqual(['users.1.name', 'users.2.name']);
    expect(await bucket.keys('users.>')).toEqual(['users.1.name', 'users.2.age', 'users.2.name']);
    expect(await bucket.keys('groups.*')).toEqual(['groups.1']);
    expect(await bucket.keys('nobody.*')).toEqual([]);
    expect(await bucket.keys()).toEqual(['groups.1', 'users.1.name', 'users.2.age', 'users.2.name']);
  });

  it('keeps buckets apart', async () => {
    const left = await newBucket();
    const right = await newBucket();
    await left.put('shared', encode('left'));
    await right.put('shared', encode('right'));
    await right.put('only-right', encode('r'));
    await left.delete('shared');
    expect(await left.get('shared')).toBeNull();
    expect(decode((await right.get('shared'))!.value)).toBe('right');
    expect(await left.keys()).toEqual([]);
    expect(await right.keys()).toEqual(['only-right', 'shared']);
  });

  it('expires an entry ttlMs after its put', async () => {
    const bucket = await newBucket(1000);
    const written = Date.now();
    await bucket.put('session', encode('s'));
    await sleep(400);
    expect(await bucket.get('session')).not.toBeNull();
    await eventually(async () => expect(await bucket.get('session')).toBeNull(), 5000);
    expect(Date.now() - written).toBeGreaterThanOrEqual(900);
    expect(await bucket.keys()).toEqual([]);
  });

  it('restarts the TTL on every put', async () => {
    const bucket = await newBucket(1000);
    await bucket.put('session', encode('v1'));
    await sleep(600);
    const refreshed = Date.now();
    await bucket.put('session', encode('v2'));
    await sleep(700);
    // 1.3 s after the first put, 0.7 s after the second.
    expect(decode((await bucket.get('session'))?.value)).toBe('v2');
    await eventually(async () => expect(await bucket.get('session')).toBeNull(), 5000);
    expect(Date.now() - refreshed).toBeGreaterThanOrEqual(900);
  });

  it('watches puts and deletes made after the watch starts, for matching keys only', async () => {
    const bucket = await newBucket();
    await bucket.put('room.early', encode('before the watch'));
    const changes: KvChange[] = [];
    const watch = await bucket.watch('room.*', (change) => changes.push(change));
    const a = await bucket.put('room.a', encode('1'));
    await bucket.put('other.a', encode('no'));
    await bucket.put('room.a.deep', encode('no'));
    await bucket.delete('room.a');
    const b = await bucket.put('room.b', encode('2'));
    await eventually(() => expect(changes.at(-1)?.key).toBe('room.b'));
    await sleep(100);
    expect(changes.map((c) => [c.key, c.operation, decode(c.value)])).toEqual([
      ['room.a', 'put', '1'],
      ['room.a', 'delete', undefined],
      ['room.b', 'put', '2'],
    ]);
    expect(changes[0].revision).toBe(a);
    expect(changes[1].revision).toBeGreaterThan(a);
    expect(changes[2].revision).toBe(b);
    await watch.stop();
    await bucket.put('room.c', encode('3'));
    await sleep(200);
    expect(changes).toHaveLength(3);
  });

  it('delivers watch changes asynchronously and survives a throwing callback', async () => {
    const bucket = await newBucket();
    const seen: string[] = [];
    await bucket.watch('>', (change) => {
      seen.push(change.key);
      if (change.key === 'boom') throw new Error('watch callback failure');
    });
    const put = bucket.put('boom', encode('x'));
    expect(seen).toEqual([]);
    await put;
    await bucket.put('after', encode('y'));
    await eventually(() => expect(seen).toEqual(['boom', 'after']));
  });
});

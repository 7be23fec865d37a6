import { createLogger } from '../logging/logger';
import { clusterEnv, uniqueName } from '../testing/cluster-env';
import { BusNoResponderError, BusRequestError, BusTimeoutError } from './bus.errors';
import type { Bus, BusMessage } from './bus.port';
import { InProcessBus } from './in-process-bus.adapter';
import { NatsBus } from './nats-bus.adapter';
import { NatsConnection } from './nats-connection';
import { eventually, sleep } from '../testing/eventually';

const logger = createLogger({ service: 'bus-conformance', level: process.env.LOG_LEVEL ?? 'silent' });

const adapters: Array<[string, () => Bus]> = [
  ['in-process', () => new InProcessBus({ logger })],
  ['nats', () => new NatsBus({ url: clusterEnv().natsUrl, name: 'bus-conformance', logger })],
];

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const decode = (data: Uint8Array): string => new TextDecoder().decode(data);


/** Subscribes and records the text of every message received. */
async function record(bus: Bus, subject: string, options: { queue?: string } = {}): Promise<{ texts: string[]; messages: BusMessage[]; unsubscribe(): Promise<void> }> {
  const messages: BusMessage[] = [];
  const texts: string[] = [];
  const subscription = await bus.subscribe(
    subject,
    (message) => {
      messages.push(message);
      texts.push(decode(message.data));
    },
    options,
  );
  return { texts, messages, unsubscribe: () => subscription.unsubscribe() };
}

describe.each(adapters)('Bus conformance: %s', (kind, create) => {
  let bus: Bus;

  beforeAll(() => {
    bus = create();
  });

  afterAll(async () => {
    await bus.close();
  });

  it('has the expected kind and answers ping', async () => {
    expect(bus.kind).toBe(kind);
    await expect(bus.ping()).resolves.toBeUndefined();
  });

  it('delivers a message to a subscriber of the exact subject, with subject and bytes intact', async () => {
    const subject = `${uniqueName('bus')}.exact`;
    const received = await record(bus, subject);
    const payload = Uint8Array.from({ length: 256 }, (_, i) => i);
    await bus.publish(subject, payload);
    await eventually(() => expect(received.messages).toHaveLength(1));
    expect(received.messages[0].subject).toBe(subject);
    expect(Array.from(received.messages[0].data)).toEqual(Array.from(payload));
  });

  it('invokes handlers asynchronously, never inside publish', async () => {
    const subject = uniqueName('bus');
    let handled = false;
    await bus.subscribe(subject, () => {
      handled = true;
    });
    const published = bus.publish(subject, encode('x'));
    expect(handled).toBe(false);
    await published;
    await eventually(() => expect(handled).toBe(true));
  });

  it('matches `*` against exactly one token and `>` against one or more', async () => {
    const base = uniqueName('bus');
    const star = await record(bus, `${base}.*.created`);
    const rest = await record(bus, `${base}.orders.>`);
    for (const subject of [
      `${base}.x.created`,
      `${base}.x.y.created`,
      `${base}.created`,
      `${base}.orders`,
      `${base}.orders.1`,
      `${base}.orders.1.2`,
      `${base}.orders.created`,
      `${base}.other.1`,
      `${base}.end.created`,
      `${base}.orders.end`,
    ]) {
      await bus.publish(subject, encode(subject.slice(base.length + 1)));
    }
    // Each subscriber sees the messages in publishing order, so the last one closes the list.
    await eventually(() => expect(star.texts.at(-1)).toBe('end.created'));
    await eventually(() => expect(rest.texts.at(-1)).toBe('orders.end'));
    expect(star.texts).toEqual(['x.created', 'orders.created', 'end.created']);
    expect(rest.texts).toEqual(['orders.1', 'orders.1.2', 'orders.created', 'orders.end']);
  });

  it('delivers each message to every plain subscriber', async () => {
    const subject = uniqueName('bus');
    const first = await record(bus, subject);
    const second = await record(bus, subject);
    await bus.publish(subject, encode('1'));
    await bus.publish(subject, encode('2'));
    await eventually(() => expect(first.texts).toEqual(['1', '2']));
    await eventually(() => expect(second.texts).toEqual(['1', '2']));
  });

  it('delivers each message to exactly one member of a queue group, spreading the load', async () => {
    const subject = uniqueName('bus');
    const members = await Promise.all([1, 2, 3].map(() => record(bus, subject, { queue: 'workers' })));
    const plain = await record(bus, subject);
    const count = 30;
    for (let i = 0; i < count; i++) await bus.publish(subject, encode(String(i)));
    await eventually(() => expect(plain.texts).toHaveLength(count));
    await eventually(() => expect(members.reduce((sum, m) => sum + m.texts.length, 0)).toBeGreaterThanOrEqual(count));
    await sleep(200);
    const delivered = members.flatMap((m) => m.texts);
    expect(delivered).toHaveLength(count);
    expect(new Set(delivered).size).toBe(count);
    expect(members.filter((m) => m.texts.length > 0).length).toBeGreaterThan(1);
  });

  it('stops delivering after unsubscribe', async () => {
    const subject = uniqueName('bus');
    const leaving = await record(bus, subject);
    const staying = await record(bus, subject);
    await bus.publish(subject, encode('before'));
    await eventually(() => expect(leaving.texts).toEqual(['before']));
    await leaving.unsubscribe();
    await bus.publish(subject, encode('after-1'));
    await bus.publish(subject, encode('after-2'));
    await eventually(() => expect(staying.texts).toEqual(['before', 'after-1', 'after-2']));
    await sleep(100);
    expect(leaving.texts).toEqual(['before']);
  });

  it('keeps delivering after a handler throws or rejects', async () => {
    const subject = uniqueName('bus');
    const seen: string[] = [];
    await bus.subscribe(subject, async (message) => {
      const text = decode(message.data);
      seen.push(text);
      if (text === 'throw') throw new Error('handler failure');
      if (text === 'reject') await Promise.reject(new Error('async handler failure'));
    });
    const other = await record(bus, subject);
    for (const text of ['throw', 'reject', 'after']) await bus.publish(subject, encode(text));
    await eventually(() => expect(seen).toEqual(['throw', 'reject', 'after']));
    await eventually(() => expect(other.texts).toEqual(['throw', 'reject', 'after']));
  });

  it('preserves the order of messages from one publisher to one subscriber', async () => {
    const subject = uniqueName('bus');
    const received = await record(bus, subject);
    const count = 200;
    await Promise.all(Array.from({ length: count }, (_, i) => bus.publish(subject, encode(String(i)))));
    await eventually(() => expect(received.texts).toHaveLength(count));
    expect(received.texts).toEqual(Array.from({ length: count }, (_, i) => String(i)));
  });

  it('answers a request with the responder reply, bytes intact', async () => {
    const subject = uniqueName('bus');
    await bus.respond(subject, (message) => Uint8Array.from(message.data).reverse());
    const payload = Uint8Array.from({ length: 256 }, (_, i) => i);
    const reply = await bus.request(subject, payload, { timeoutMs: 2000 });
    expect(Array.from(reply)).toEqual(Array.from(payload).reverse());
  });

  it('spreads requests over a responder queue group, one answer each', async () => {
    const subject = uniqueName('bus');
    const served = [0, 0, 0];
    await Promise.all(served.map((_, i) => bus.respond(subject, () => {
      served[i] += 1;
      return encode(String(i));
    }, { queue: 'responders' })));
    for (let i = 0; i < 30; i++) await bus.request(subject, encode('q'), { timeoutMs: 2000 });
    expect(served.reduce((a, b) => a + b, 0)).toBe(30);
    expect(served.filter((n) => n > 0).length).toBeGreaterThan(1);
  });

  it('fails with BusNoResponderError at once when nobody listens', async () => {
    const started = Date.now();
    await expect(bus.request(uniqueName('bus'), encode('anyone?'), { timeoutMs: 3000 })).rejects.toBeInstanceOf(BusNoResponderError);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('fails with BusTimeoutError when the responder is too slow', async () => {
    const subject = uniqueName('bus');
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    await bus.respond(subject, async () => {
      await gate;
      return encode('late');
    });
    const started = Date.now();
    const error = await bus.request(subject, encode('hurry'), { timeoutMs: 300 }).catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    release();
    expect(error).toBeInstanceOf(BusTimeoutError);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(1200);
  });

  it('fails with BusRequestError when the responder throws, and the responder keeps serving', async () => {
    const subject = uniqueName('bus');
    await bus.respond(subject, async (message) => {
      const text = decode(message.data);
      if (text === 'bad') throw new Error('cannot serve "bad"');
      return encode(`ok:${text}`);
    });
    const error = await bus.request(subject, encode('bad'), { timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BusRequestError);
    expect((error as Error).message).toContain('cannot serve "bad"');
    expect(decode(await bus.request(subject, encode('good'), { timeoutMs: 2000 }))).toBe('ok:good');
  });

  it('stops answering after the responder unsubscribes', async () => {
    const subject = uniqueName('bus');
    const responder = await bus.respond(subject, () => encode('here'));
    expect(decode(await bus.request(subject, encode('?'), { timeoutMs: 2000 }))).toBe('here');
    await responder.unsubscribe();
    await expect(bus.request(subject, encode('?'), { timeoutMs: 1000 })).rejects.toBeInstanceOf(BusNoResponderError);
  });

  it('drops every subscription on close', async () => {
    const subject = uniqueName('bus');
    const closing = create();
    const seen: string[] = [];
    await closing.subscribe(subject, (message) => void seen.push(decode(message.data)));
    await closing.respond(`${subject}.rpc`, () => encode('pong'));
    await closing.close();
    // An in-process bus is its own world, so it is also the one to publish on after closing.
    const publisher = kind === 'in-process' ? closing : bus;
    await publisher.publish(subject, encode('after-close'));
    await expect(publisher.request(`${subject}.rpc`, encode('ping'), { timeoutMs: 1000 })).rejects.toBeInstanceOf(BusNoResponderError);
    await sleep(100);
    expect(seen).toEqual([]);
  });
});

describe('NatsBus on a shared NatsConnection', () => {
  it('serves several buses over one connection and leaves it open when one closes', async () => {
    const connection = new NatsConnection({ url: clusterEnv().natsUrl, name: 'bus-conformance-shared', logger });
    const first = new NatsBus(connection);
    const second = new NatsBus(connection);
    try {
      const subject = uniqueName('bus');
      const gone = await record(first, subject);
      const kept = await record(second, subject);
      await first.close();
      await second.publish(subject, encode('after'));
      await eventually(() => expect(kept.texts).toEqual(['after']));
      await sleep(100);
      expect(gone.texts).toEqual([]);
      await expect(second.ping()).resolves.toBeUndefined();
    } finally {
      await second.close();
      await connection.close();
    }
  });
});

import { DeviceRepository, Devices } from '@pushsync/devices';
import { InProcessBus, InProcessKeyValue, SqliteStore, type Bus } from '@pushsync/platform';
import { createFrame, encodeFrame, type Frame } from '@pushsync/protocol';
import { Registry } from 'prom-client';
import { DEFAULT_COMET_CONFIG, type CometConfig } from './config';
import { CometDelivery, MAX_TOKENS_PER_DELIVERY, decodeDelivery } from './delivery';
import type { CometEvent } from './events';
import type { AppDirectory } from './app-directory';
import { CometGateway } from './gateway';
import { CometMetrics } from './metrics';
import { Presence } from './presence';
import type { Session } from './session';
import { MemoryConnection } from './testing/memory-connection';

const APP = { workspaceId: 'ws1', appId: 'app1', clientKey: 'client-key-1', status: 'active' as const };
const INSTANCE = 'ws1_app1';

class Apps implements AppDirectory {
  public readonly apps = new Map<string, { status: 'active' | 'disabled'; clientKey: string }>([
    ['ws1_app1', APP],
    ['ws1_off', { status: 'disabled', clientKey: 'k' }],
  ]);

  public async find(workspaceId: string, appId: string) {
    return this.apps.get(`${workspaceId}_${appId}`) ?? null;
  }
}

const handshake = (overrides: Partial<NonNullable<Frame['handshake']>> = {}) =>
  encodeFrame(createFrame('handshake', { appId: APP.appId, workspaceId: APP.workspaceId, clientKey: APP.clientKey, platform: 'ANDROID', appVersion: '1.0', ...overrides }));

// Long enough for the in-process bus, KV and SQLite work a frame triggers, even on a loaded machine.
const settle = () => new Promise((resolve) => setTimeout(resolve, 25));

describe('CometGateway sessions over an in-memory transport', () => {
  let store: SqliteStore;
  let bus: Bus;
  let keyValue: InProcessKeyValue;
  let gateway: CometGateway;
  let presence: Presence;
  let metrics: Registry;
  let now: number;
  let events: CometEvent[];

  const config = (overrides: Partial<CometConfig> = {}): CometConfig => ({
    ...DEFAULT_COMET_CONFIG,
    nodeId: 'node-a',
    heartbeatMs: 1000,
    handshakeTimeoutMs: 500,
    presenceTtlMs: 60_000,
    sendQueue: { maxFrames: 4, maxBytes: 10_000 },
    handshakeRate: { burst: 5, perSecond: 1 },
    ...overrides,
  });

  const build = async (overrides: Partial<CometConfig> = {}) => {
    presence = await Presence.open(keyValue, 60_000);
    gateway = new CometGateway({
      config: config(overrides),
      apps: new Apps(),
      devices: new Devices(await DeviceRepository.open(store)),
      presence,
      bus,
      metrics: new CometMetrics(metrics),
      logger: { warn: () => undefined, error: () => undefined },
      now: () => now,
    });
    await gateway.start();
  };

  const connect = (remoteAddress = '127.0.0.1'): { connection: MemoryConnection; session: Session } => {
    const connection = new MemoryConnection(remoteAddress);
    const session = gateway.accept(connection);
    connection.onClosed = () => session.closed();
    return { connection, session };
  };

  const open = async (token = ''): Promise<{ connection: MemoryConnection; session: Session; token: string }> => {
    const pair = connect();
    pair.session.receive(handshake({ deviceToken: token }));
    await settle();
    const ack = pair.connection.frames()[0]!.handshakeAck;
    if (!ack) throw new Error(`no handshake ack: ${JSON.stringify(pair.connection.frames())}`);
    return { ...pair, token: ack.deviceToken };
  };

  beforeEach(async () => {
    store = new SqliteStore(':memory:');
    bus = new InProcessBus();
    keyValue = new InProcessKeyValue();
    metrics = new Registry();
    now = 1_000_000;
    events = [];
    await bus.subscribe('comet.events.>', (message) => void events.push(JSON.parse(Buffer.from(message.data).toString('utf8')) as CometEvent));
    await build();
  });

  afterEach(async () => {
    await gateway.stop();
    await bus.close();
    await keyValue.close();
    await store.close();
  });

  it('issues a token at the handshake, registers the device in presence, and keeps the token on reconnect', async () => {
    const { connection, session, token } = await open();
    const ack = connection.frames()[0]!.handshakeAck!;
    expect(ack).toMatchObject({ tokenIssued: true, heartbeatIntervalMs: 1000, serverTimeMs: now });
    expect(token).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(await presence.get(INSTANCE, token)).toMatchObject({ node: 'node-a', connectionId: session.id, platform: 'ANDROID', appVersion: '1.0', userId: null });
    expect(events.map((e) => [e.kind, e.deviceToken])).toEqual([['connect', token]]);

    connection.end();
    await settle();
    expect(await presence.get(INSTANCE, token)).toBeNull();
    expect(events.map((e) => e.kind)).toEqual(['connect', 'disconnect']);

    const again = await open(token);
    expect(again.token).toBe(token);
    expect(again.connection.frames()[0]!.handshakeAck!.tokenIssued).toBe(false);
    expect(gateway.registry.size).toBe(1);
  });

  it('answers pings with pongs and bind/unbind with RpcResult echoing seq (3012 for an empty userId)', async () => {
    const { connection, token } = await open();
    connection.written.length = 0;
    const s = gateway.registry.get(token)!;
    s.receive(encodeFrame(createFrame('ping', { clientTimeMs: 42 }, 0)));
    s.receive(encodeFrame(createFrame('bindUser', { userId: '', sessionId: '' }, 7)));
    s.receive(encodeFrame(createFrame('bindUser', { userId: 'user ü/1', sessionId: 's1' }, 8)));
    await settle();
    const frames = connection.frames();
    expect(frames[0]!.pong).toMatchObject({ clientTimeMs: 42, serverTimeMs: now });
    expect(frames[1]).toMatchObject({ seq: 7, rpcResult: { success: false, code: 3012, name: 'NEED_USERID', message: 'need userid' } });
    expect(frames[2]).toMatchObject({ seq: 8, rpcResult: { success: true, code: 100, name: 'SUCCESS' } });
    expect(await presence.devicesOfUser(INSTANCE, 'user ü/1')).toEqual([token]);
    expect(await presence.get(INSTANCE, token)).toMatchObject({ userId: 'user ü/1' });

    s.receive(encodeFrame(createFrame('unbindUser', {}, 9)));
    s.receive(encodeFrame(createFrame('reportVendorToken', { vendor: 'HUAWEI', vendorToken: 'hw' }, 10)));
    s.receive(encodeFrame(createFrame('appState', { state: 'BACKGROUND' }, 11)));
    await settle();
    expect(connection.frames().slice(3).map((f) => [f.seq, f.rpcResult?.code])).toEqual([
      [9, 100],
      [10, 100],
      [11, 100],
    ]);
    expect(await presence.devicesOfUser(INSTANCE, 'user ü/1')).toEqual([]);
    expect(events.map((e) => e.kind)).toEqual(['connect', 'bind', 'unbind', 'vendor-token', 'app-state']);
  });

  it.each([
    ['a frame before the handshake', () => encodeFrame(createFrame('ping', {})), 'HANDSHAKE_REQUIRED'],
    ['garbage bytes', () => Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f), 'MALFORMED_FRAME'],
    ['a wrong client key', () => handshake({ clientKey: 'nope' }), 'CLIENT_KEY_INVALID'],
    ['an unknown app', () => handshake({ appId: 'ghost' }), 'APP_INVALID'],
    ['a disabled app', () => handshake({ appId: 'off', clientKey: 'k' }), 'APP_INVALID'],
    ['an unknown device token', () => handshake({ deviceToken: 'AAAAAAAAAAAAAAAAAAAAAA' }), 'DEVICE_TOKEN_INVALID'],
    ['an oversize frame', () => handshake({ manufacturer: 'x'.repeat(70_000) }), 'FRAME_TOO_LARGE'],
  ])('refuses %s with an Error frame and closes that connection only', async (_name, bytes, code) => {
    const healthy = await open();
    const { connection, session } = connect();
    session.receive(bytes());
    await settle();
    expect(connection.frames().map((f) => f.error?.code)).toEqual([code]);
    expect(connection.ended).toBe(true);
    expect(gateway.registry.size).toBe(1);
    healthy.session.receive(encodeFrame(createFrame('ping', {})));
    await settle();
    expect(healthy.connection.frames().at(-1)!.pong).toBeDefined();
    expect(await metrics.getSingleMetricAsString('comet_protocol_errors_total')).toContain(`code="${code}"`);
  });

  it('refuses server-only frames from a client after the handshake', async () => {
    const { connection, session } = await open();
    session.receive(encodeFrame(createFrame('pushMessage', { msgId: 'm' })));
    await settle();
    expect(connection.frames().at(-1)!.error?.code).toBe('UNEXPECTED_FRAME');
    expect(gateway.registry.size).toBe(0);
  });

  it('closes a connection without handshake after the timeout and an idle one after 2.5 heartbeats', async () => {
    const silent = connect();
    const { connection: idle } = await open();
    now += 500;
    gateway.sweep();
    expect(silent.connection.frames().map((f) => f.error?.code)).toEqual(['HANDSHAKE_TIMEOUT']);
    expect(idle.ended).toBe(false);
    now += 2000;
    gateway.sweep();
    expect(idle.frames().at(-1)!.goAway).toMatchObject({ reason: 'IDLE_TIMEOUT' });
  });

  it('rate-limits handshakes per address', async () => {
    for (let i = 0; i < 5; i++) await open();
    const { connection, session } = connect();
    session.receive(handshake());
    await settle();
    expect(connection.frames().map((f) => f.error?.code)).toEqual(['RATE_LIMITED']);
    const other = connect('10.0.0.2');
    other.session.receive(handshake());
    await settle();
    expect(other.connection.frames()[0]!.handshakeAck).toBeDefined();
  });

  it('delivers a frame through CometDelivery to the device, reporting offline tokens', async () => {
    const { connection, token } = await open();
    const delivery = new CometDelivery(bus, presence);
    const report = await delivery.deliverToDevices(INSTANCE, [token, 'BBBBBBBBBBBBBBBBBBBBBB'], createFrame('pushMessage', { msgId: 'm1', title: 'hi' }));
    expect(report).toEqual({ published: [{ node: 'node-a', tokens: [token] }], offline: ['BBBBBBBBBBBBBBBBBBBBBB'], failed: [] });
    await settle();
    expect(connection.frames().at(-1)!.pushMessage).toMatchObject({ msgId: 'm1', title: 'hi' });
  });

  it('reports the tokens of a node it could not publish to, and still publishes to the others', async () => {
    await presence.put(INSTANCE, 'CCCCCCCCCCCCCCCCCCCCCC', { node: 'node-b', connectionId: 'x', platform: 'WEB', appVersion: '', userId: null, since: 0 });
    const { token } = await open();
    const failing: Bus = Object.assign(Object.create(bus) as Bus, {
      publish: (subject: string, data: Uint8Array) => (subject === 'comet.node.node-b' ? Promise.reject(new Error('node-b unreachable')) : bus.publish(subject, data)),
    });
    const report = await new CometDelivery(failing, presence).deliverToDevices(INSTANCE, [token, 'CCCCCCCCCCCCCCCCCCCCCC'], createFrame('revoke', { msgId: 'm' }));
    expect(report.published).toEqual([{ node: 'node-a', tokens: [token] }]);
    expect(report.failed).toEqual([{ node: 'node-b', tokens: ['CCCCCCCCCCCCCCCCCCCCCC'], error: 'node-b unreachable' }]);
  });

  it('splits the share of one node in a large fan-out into messages of at most MAX_TOKENS_PER_DELIVERY tokens', async () => {
    const tokens = Array.from({ length: 2 * MAX_TOKENS_PER_DELIVERY + 7 }, (_, i) => `T${String(i).padStart(21, '0')}`);
    await Promise.all(tokens.map((token) => presence.put(INSTANCE, token, { node: 'node-z', connectionId: 'x', platform: 'WEB', appVersion: '', userId: null, since: 0 })));
    const messages: number[] = [];
    await bus.subscribe('comet.node.node-z', (message) => {
      messages.push(decodeDelivery(message.data).header.tokens.length);
    });
    const report = await new CometDelivery(bus, presence).deliverToDevices(INSTANCE, tokens, createFrame('revoke', { msgId: 'big' }));
    await settle();
    expect(messages.sort((a, b) => b - a)).toEqual([MAX_TOKENS_PER_DELIVERY, MAX_TOKENS_PER_DELIVERY, 7]);
    expect(report.published.flatMap((p) => p.tokens).sort()).toEqual([...tokens].sort());
  });

  it('writes a fan-out larger than one event-loop turn to every connection, in order', async () => {
    const devices = await Promise.all(Array.from({ length: 3 }, () => open()));
    const absent = Array.from({ length: 2500 }, (_, i) => `A${String(i).padStart(21, '0')}`);
    const first = encodeFrame(createFrame('revoke', { msgId: 'first' }));
    const second = encodeFrame(createFrame('revoke', { msgId: 'second' }));
    await gateway.deliver(Buffer.concat([headerOf([...absent, ...devices.map((d) => d.token)]), first]));
    await gateway.deliver(Buffer.concat([headerOf(devices.map((d) => d.token)), second]));
    for (const { connection } of devices) expect(connection.frames().filter((f) => f.revoke).map((f) => f.revoke!.msgId)).toEqual(['first', 'second']);
    expect(await metrics.getSingleMetricAsString('comet_deliveries_missed_total')).toMatch(/ 2500$/m);
  });

  it('writes a push message once per connection however many deliveries name it (the dispatcher, a shard replayed, the resend at connect)', async () => {
    const first = await open();
    const second = await open();
    const frame = encodeFrame(createFrame('pushMessage', { msgId: 'b1', title: 'news' }));
    const comet = new CometDelivery(bus, presence);
    await comet.sendToNode(INSTANCE, 'node-a', [first.token], frame, 'b1');
    await comet.sendToNode(INSTANCE, 'node-a', [first.token, second.token], frame, 'b1');
    await comet.sendToNode(INSTANCE, 'node-a', [first.token, second.token], frame, 'b1');
    await comet.sendToNode(INSTANCE, 'node-a', [second.token], frame);
    await settle();
    const received = (pair: { connection: MemoryConnection }) => pair.connection.frames().filter((received) => received.pushMessage?.msgId === 'b1').length;
    expect([received(first), received(second)]).toEqual([1, 2]);
  });

  it('writes what is delivered while the handshake still writes presence after the handshake ack', async () => {
    const first = await open();
    first.connection.end();
    await settle();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const put = presence.put.bind(presence);
    jest.spyOn(presence, 'put').mockImplementationOnce(async (...args) => {
      await released;
      return put(...args);
    });
    const again = connect();
    again.session.receive(handshake({ deviceToken: first.token }));
    await settle();
    await new CometDelivery(bus, presence).sendToNode(INSTANCE, 'node-a', [first.token], encodeFrame(createFrame('pushMessage', { msgId: 'early', title: 'news' })), 'early');
    await settle();
    release();
    await settle();
    expect(again.connection.frames().map((frame) => (frame.handshakeAck ? 'ack' : frame.pushMessage?.msgId))).toEqual(['ack', 'early']);
  });

  it('disconnects a slow consumer with GoAway SLOW_CONSUMER and leaves the others alone', async () => {
    const slow = await open();
    const fast = await open();
    slow.connection.writable = false;
    const bytes = encodeFrame(createFrame('revoke', { msgId: 'm' }));
    for (let i = 0; i < 10; i++) {
      await gateway.deliver(Buffer.concat([headerOf([slow.token, fast.token]), bytes]));
    }
    await settle();
    expect(slow.connection.frames().at(-1)!.goAway).toMatchObject({ reason: 'SLOW_CONSUMER' });
    expect(slow.connection.ended).toBe(true);
    expect(fast.connection.frames().filter((f) => f.revoke)).toHaveLength(10);
    expect(gateway.registry.get(fast.token)).toBeDefined();
    expect(gateway.registry.get(slow.token)).toBeUndefined();
    expect(await metrics.getSingleMetricAsString('comet_slow_consumer_disconnects_total')).toMatch(/ 1$/m);
  });

  it('replaces an older connection of the same device on this node', async () => {
    const first = await open();
    const second = await open(first.token);
    await settle();
    expect(first.connection.frames().at(-1)!.goAway).toMatchObject({ reason: 'REPLACED' });
    expect(gateway.registry.get(first.token)).toBe(second.session);
    expect(await presence.get(INSTANCE, first.token)).toMatchObject({ connectionId: second.session.id });
  });

  it('sends GoAway behind the frames already queued, and ends the connection once they are out', async () => {
    const { connection, token } = await open();
    connection.writable = false;
    const bytes = encodeFrame(createFrame('revoke', { msgId: 'queued' }));
    await gateway.deliver(Buffer.concat([headerOf([token]), bytes]));
    await gateway.deliver(Buffer.concat([headerOf([token]), bytes]));
    gateway.registry.get(token)!.goAway('SHUTDOWN', 10);
    expect(connection.ended).toBe(false);
    connection.resume();
    expect(connection.frames().slice(-3).map((f) => (f.revoke ? 'revoke' : f.goAway?.reason))).toEqual(['revoke', 'revoke', 'SHUTDOWN']);
    expect(connection.ended).toBe(true);
  });

  it('drains: GoAway to every connection, presence removed, new handshakes refused', async () => {
    const a = await open();
    const b = await open();
    await gateway.drain('SHUTDOWN', 1234, 100);
    for (const c of [a, b]) {
      expect(c.connection.frames().at(-1)!.goAway).toEqual({ reason: 'SHUTDOWN', reconnectAfterMs: 1234 });
      expect(await presence.get(INSTANCE, c.token)).toBeNull();
    }
    const late = connect();
    expect(late.connection.frames()[0]!.goAway).toMatchObject({ reason: 'DRAINING' });
  });
});

function headerOf(tokens: string[]): Buffer {
  const head = Buffer.from(JSON.stringify({ v: 1, instanceId: INSTANCE, tokens }), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(head.length);
  return Buffer.concat([length, head]);
}

describe('CometGateway across two nodes on one bus', () => {
  it('closes the older connection of a device on the other node when it connects here (REPLACED)', async () => {
    const store = new SqliteStore(':memory:');
    const bus = new InProcessBus();
    const keyValue = new InProcessKeyValue();
    const devices = new Devices(await DeviceRepository.open(store));
    const presence = await Presence.open(keyValue, 60_000);
    const node = async (nodeId: string) => {
      const gateway = new CometGateway({
        config: { ...DEFAULT_COMET_CONFIG, nodeId },
        apps: new Apps(),
        devices,
        presence,
        bus,
        metrics: new CometMetrics(new Registry()),
        logger: { warn: () => undefined, error: () => undefined },
      });
      await gateway.start();
      return gateway;
    };
    const [a, b] = [await node('a'), await node('b')];
    const connectTo = async (gateway: CometGateway, token: string) => {
      const connection = new MemoryConnection();
      const session = gateway.accept(connection);
      connection.onClosed = () => session.closed();
      session.receive(handshake({ deviceToken: token }));
      await settle();
      return { connection, session, token: connection.frames()[0]!.handshakeAck!.deviceToken };
    };
    const onA = await connectTo(a, '');
    const onB = await connectTo(b, onA.token);
    await settle();
    expect(onA.connection.frames().at(-1)!.goAway).toMatchObject({ reason: 'REPLACED' });
    expect(await presence.get(INSTANCE, onA.token)).toMatchObject({ node: 'b', connectionId: onB.session.id });
    expect(a.registry.size).toBe(0);
    expect(b.registry.size).toBe(1);
    await a.stop();
    await b.stop();
    await bus.close();
    await keyValue.close();
    await store.close();
  });
});

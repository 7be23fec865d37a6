import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type DisconnectedEvent,
  FileStorage,
  MemoryStorage,
  PushSyncClient,
  type PushSyncClientOptions,
  type PushRevoke,
  type PushSyncError,
  type PushSyncMessage,
  type ReconnectingEvent,
  type SyncMessage,
  TcpTransport,
} from '../node';
import { AsyncQueue } from '../testing/async-queue';
import { CometTestServer, RPC_OK, type TestConnection } from '../testing/comet-test.server';

describe('PushSyncClient over TCP (against the in-test comet server)', () => {
  let server: CometTestServer;
  const clients: PushSyncClient[] = [];

  beforeEach(async () => {
    server = await new CometTestServer().start();
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.appToBackground()));
    await server.stop();
  });

  async function newClient(overrides: Partial<PushSyncClientOptions> = {}): Promise<PushSyncClient> {
    const client = new PushSyncClient();
    clients.push(client);
    await client.initialize({
      endpoint: server.tcpEndpoint,
      appId: 'ONEX570DA89211720',
      workspaceId: 'default',
      clientKey: 'client-key',
      platform: 'ANDROID',
      osVersion: '14',
      appVersion: '1.2.3',
      manufacturer: 'Xiaomi',
      deviceId: 'utdid-1',
      transport: new TcpTransport(),
      reconnect: { baseMs: 20, maxMs: 100 },
      ...overrides,
    });
    return client;
  }

  async function connect(client: PushSyncClient): Promise<TestConnection> {
    client.appToForeground();
    const connection = await server.connections.next();
    await client.whenConnected(5000);
    return connection;
  }

  function events<T>(client: PushSyncClient, event: 'disconnected' | 'reconnecting' | 'error' | 'goAway'): AsyncQueue<T> {
    const queue = new AsyncQueue<T>(`a '${event}' event`);
    client.on(event, (payload) => queue.push(payload as T));
    return queue;
  }

  function syncInbox(client: PushSyncClient, bizType: string): AsyncQueue<SyncMessage> {
    const inbox = new AsyncQueue<SyncMessage>(`a ${bizType} sync message`);
    client.registerBiz(bizType, (message) => inbox.push(message));
    return inbox;
  }

  it('sends the device information in the handshake', async () => {
    const client = await newClient();
    const connection = await connect(client);
    expect(connection.handshake).toMatchObject({
      appId: 'ONEX570DA89211720',
      workspaceId: 'default',
      clientKey: 'client-key',
      deviceToken: '',
      platform: 'ANDROID',
      osVersion: '14',
      appVersion: '1.2.3',
      manufacturer: 'Xiaomi',
      deviceId: 'utdid-1',
      appState: 'FOREGROUND',
      syncPoints: [],
    });
    expect(connection.handshake!.sdkVersion).not.toBe('');
    expect(client.isConnected()).toBe(true);
  });

  it('persists the issued token in FileStorage and resends it across reconnects and restarts', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'pushsync-client-'));
    try {
      const path = join(directory, 'state', 'client.json');
      const client = await newClient({ persistence: new FileStorage(path) });
      const tokens: string[] = [];
      client.onDeviceToken((token) => tokens.push(token));
      const first = await connect(client);
      expect(first.handshake!.deviceToken).toBe('');
      const token = server.issuedTokens[0]!;
      expect(client.getDeviceToken()).toBe(token);
      expect(tokens).toEqual([token]);

      first.destroy();
      const second = await server.connections.next();
      expect(second.handshake!.deviceToken).toBe(token);
      await client.appToBackground();
      expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ deviceToken: token });

      const restarted = await newClient({ persistence: new FileStorage(path) });
      const third = await connect(restarted);
      expect(third.handshake!.deviceToken).toBe(token);
      expect(server.issuedTokens).toHaveLength(1);
      const restartedTokens: string[] = [];
      restarted.onDeviceToken((value) => restartedTokens.push(value));
      await Promise.resolve();
      expect(restartedTokens).toEqual([token]);
      await restarted.appToBackground();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('forgets a stored token the gateway refuses and is issued a new one at the next handshake', async () => {
    server.options.refusedTokens = new Set(['foreign-token']);
    const persistence = new MemoryStorage({ deviceToken: 'foreign-token', syncPoints: [] });
    const client = await newClient({ persistence });
    const errors = events<PushSyncError>(client, 'error');
    client.appToForeground();
    expect(await errors.next()).toMatchObject({ code: 'SERVER_ERROR', serverCode: 'DEVICE_TOKEN_INVALID' });
    const connection = await server.connections.next();
    expect(server.handshakes.map((handshake) => handshake.deviceToken)).toEqual(['foreign-token', '']);
    await client.whenConnected(1000);
    expect(errors.pending()).toEqual([]); // reported once, not again when the connection closed
    expect(client.getDeviceToken()).toBe(connection.deviceToken);
    await client.flush();
    expect((await persistence.load())?.deviceToken).toBe(connection.deviceToken);
  });

  it('sends its stored sync points at the handshake', async () => {
    const persistence = new MemoryStorage({
      deviceToken: 'known-token',
      syncPoints: [
        { bizType: 'ORDERS', key: 'user-1', oplogId: 41 },
        { bizType: 'NEWS', key: '*', oplogId: 7 },
      ],
    });
    const client = await newClient({ persistence });
    const connection = await connect(client);
    expect(connection.handshake!.deviceToken).toBe('known-token');
    expect(connection.handshake!.syncPoints).toEqual([
      { bizType: 'ORDERS', key: 'user-1', oplogId: 41 },
      { bizType: 'NEWS', key: '*', oplogId: 7 },
    ]);
  });

  it('reportMsgReceived acks the highest id of the batch, moves the point and resends it after a reconnect', async () => {
    const persistence = new MemoryStorage();
    const client = await newClient({ persistence });
    const inbox = syncInbox(client, 'ORDERS');
    const connection = await connect(client);

    connection.sendSyncData('ORDERS', 'user-1', [{ id: 3, pl: 'hello' }, { id: 5, pl: 'aGk=', isB: true }]);
    const message = await inbox.next();
    expect(message).toMatchObject({ bizType: 'ORDERS', key: 'user-1', highestId: 5 });
    expect(message.ops.map((op) => op.id)).toEqual([3, 5]);
    expect(JSON.parse(message.msgData)).toEqual([{ id: 3, pl: 'hello' }, { id: 5, pl: 'aGk=', isB: true }]);

    client.reportMsgReceived(message);
    const ack = await connection.next('syncAck');
    expect(ack.syncAck).toEqual({ bizType: 'ORDERS', key: 'user-1', oplogId: 5 });
    expect(client.getSyncPoints()).toEqual([{ bizType: 'ORDERS', key: 'user-1', oplogId: 5 }]);
    await client.flush();
    expect((await persistence.load())?.syncPoints).toEqual([{ bizType: 'ORDERS', key: 'user-1', oplogId: 5 }]);

    connection.destroy();
    const again = await server.connections.next();
    expect(again.handshake!.syncPoints).toEqual([{ bizType: 'ORDERS', key: 'user-1', oplogId: 5 }]);
  });

  it('holds sync data of an unregistered bizType, in order, until a callback registers', async () => {
    const client = await newClient();
    const connection = await connect(client);
    connection.sendSyncData('LATE', '*', [{ id: 1 }, { id: 2 }]);
    connection.sendSyncData('LATE', '*', [{ id: 3 }]);
    connection.sendSyncData('OTHER', '*', [{ id: 9 }]);
    await roundTrip(connection);

    const delivered: number[][] = [];
    client.registerBiz('LATE', (message) => {
      delivered.push(message.ops.map((op) => op.id));
    });
    expect(delivered).toEqual([[1, 2], [3]]);

    const inbox = new AsyncQueue<SyncMessage>('LATE');
    client.registerBiz('LATE', (message) => inbox.push(message));
    connection.sendSyncData('LATE', '*', [{ id: 4 }]);
    expect((await inbox.next()).ops.map((op) => op.id)).toEqual([4]);

    client.unregisterBiz('LATE');
    connection.sendSyncData('LATE', '*', [{ id: 5 }]);
    await roundTrip(connection);
    client.registerBiz('LATE', (message) => inbox.push(message));
    expect((await inbox.next(100)).ops.map((op) => op.id)).toEqual([5]);
  });

  it('drops oplogs at or below the sync point, duplicates within a batch and redeliveries, and re-acks a batch it acked already', async () => {
    const client = await newClient({ persistence: new MemoryStorage({ syncPoints: [{ bizType: 'FEED', key: 'user-1', oplogId: 5 }] }) });
    const inbox = syncInbox(client, 'FEED');
    const connection = await connect(client);

    connection.sendSyncData('FEED', 'user-1', [{ id: 4 }, { id: 5 }, { id: 6 }, { id: 6 }, { id: 7 }]);
    const message = await inbox.next();
    expect(message.ops.map((op) => op.id)).toEqual([6, 7]);

    // Redelivered before the app acked: not handed over twice.
    connection.sendSyncData('FEED', 'user-1', [{ id: 6 }, { id: 7 }, { id: 8 }]);
    expect((await inbox.next()).ops.map((op) => op.id)).toEqual([8]);

    client.reportMsgReceived(message);
    expect((await connection.next('syncAck')).syncAck!.oplogId).toBe(7);
    // A late ack of an older batch never moves the point back.
    client.reportMsgReceived({ ...message, highestId: 6 });
    expect((await connection.next('syncAck')).syncAck!.oplogId).toBe(7);

    // The server did not get the ack and resends: nothing is delivered, the ack is repeated.
    connection.sendSyncData('FEED', 'user-1', [{ id: 6 }, { id: 7 }]);
    expect((await connection.next('syncAck')).syncAck).toEqual({ bizType: 'FEED', key: 'user-1', oplogId: 7 });
    expect(inbox.pending()).toEqual([]);
    expect(client.getSyncPoints()).toEqual([{ bizType: 'FEED', key: 'user-1', oplogId: 7 }]);
  });

  describe('Message Push', () => {
    const NOW = 1_800_000_000_000;
    let nowMs: number;

    beforeEach(() => {
      nowMs = NOW;
    });

    function pushInbox(client: PushSyncClient): AsyncQueue<PushSyncMessage> {
      const inbox = new AsyncQueue<PushSyncMessage>('a push message');
      client.onPushMessage((message) => inbox.push(message));
      return inbox;
    }

    function newPushClient(overrides: Partial<PushSyncClientOptions> = {}): Promise<PushSyncClient> {
      return newClient({ now: () => nowMs, ...overrides });
    }

    it('hands a push message to every callback and acks it once they all settled and its msgId is saved', async () => {
      const storage = new MemoryStorage();
      const client = await newPushClient({ persistence: storage });
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const slow = new AsyncQueue<PushSyncMessage>('a push message (slow callback)');
      client.onPushMessage(async (message) => {
        slow.push(message);
        await gate;
      });
      const fast = pushInbox(client);
      const connection = await connect(client);

      connection.sendPush({
        msgId: 'm-1',
        taskId: 't-1',
        title: 'Hello',
        content: 'World',
        uri: 'com.example.OrderActivity',
        action: '1',
        style: 2,
        silent: true,
        extParams: { orderId: '42', notifyType: '1' },
        imageUrl: 'https://img.example/i.png',
        iconUrl: 'https://img.example/c.png',
        expireAtMs: NOW + 60_000,
      });
      const message = await fast.next();
      expect(message).toEqual({
        msgId: 'm-1',
        taskId: 't-1',
        title: 'Hello',
        content: 'World',
        uri: 'com.example.OrderActivity',
        action: '1',
        actionType: 'intent',
        style: 2,
        silent: true,
        extParams: { orderId: '42', notifyType: '1' },
        imageUrl: 'https://img.example/i.png',
        iconUrl: 'https://img.example/c.png',
        expireAtMs: NOW + 60_000,
      });
      expect(Object.isFrozen(message) && Object.isFrozen(message.extParams)).toBe(true);
      expect(await slow.next()).toBe(message);

      await roundTrip(connection);
      expect(connection.received('pushAck')).toEqual([]);
      release();
      expect((await connection.next('pushAck')).pushAck).toEqual({ msgId: 'm-1' });
      expect((await storage.load())?.pushMsgIds).toEqual([{ msgId: 'm-1', expireAtMs: NOW + 60_000 }]);
    });

    it('reads the click action: "0" or none is web, "1" intent, anything else unknown, the raw value kept', async () => {
      const client = await newPushClient();
      const inbox = pushInbox(client);
      const connection = await connect(client);
      for (const [msgId, action] of [['a-web', '0'], ['a-none', ''], ['a-intent', '1'], ['a-other', 'deeplink']]) connection.sendPush({ msgId, action });
      const actions = [];
      for (let index = 0; index < 4; index++) {
        const { msgId, action, actionType } = await inbox.next();
        actions.push({ msgId, action, actionType });
      }
      expect(actions).toEqual([
        { msgId: 'a-web', action: '0', actionType: 'web' },
        { msgId: 'a-none', action: '', actionType: 'web' },
        { msgId: 'a-intent', action: '1', actionType: 'intent' },
        { msgId: 'a-other', action: 'deeplink', actionType: 'unknown' },
      ]);
    });

    it('raises a re-sent msgId once: while its callback runs, after its ack, and after a reconnect', async () => {
      const client = await newPushClient();
      const raised: string[] = [];
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      client.onPushMessage(async (message) => {
        raised.push(message.msgId);
        await gate;
      });
      const first = await connect(client);

      first.sendPush({ msgId: 'm-1' });
      first.sendPush({ msgId: 'm-1' });
      await roundTrip(first);
      expect(raised).toEqual(['m-1']);
      expect(first.received('pushAck')).toEqual([]);
      release();
      expect((await first.next('pushAck')).pushAck).toEqual({ msgId: 'm-1' });

      first.sendPush({ msgId: 'm-1' });
      expect((await first.next('pushAck')).pushAck).toEqual({ msgId: 'm-1' });

      first.destroy();
      const second = await server.connections.next();
      second.sendPush({ msgId: 'm-1' });
      expect((await second.next('pushAck')).pushAck).toEqual({ msgId: 'm-1' });
      expect(raised).toEqual(['m-1']);
    });

    it('raises a message once across a restart: the handled msgIds are persisted', async () => {
      const directory = await mkdtemp(join(tmpdir(), 'pushsync-client-'));
      try {
        const path = join(directory, 'client.json');
        const client = await newPushClient({ persistence: new FileStorage(path) });
        const inbox = pushInbox(client);
        const connection = await connect(client);
        connection.sendPush({ msgId: 'm-1', expireAtMs: NOW + 60_000 });
        expect((await inbox.next()).msgId).toBe('m-1');
        expect((await connection.next('pushAck')).pushAck).toEqual({ msgId: 'm-1' });
        await client.appToBackground();
        expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ pushMsgIds: [{ msgId: 'm-1', expireAtMs: NOW + 60_000 }] });

        const restarted = await newPushClient({ persistence: new FileStorage(path) });
        const restartedInbox = pushInbox(restarted);
        const again = await connect(restarted);
        again.sendPush({ msgId: 'm-1', expireAtMs: NOW + 60_000 });
        expect((await again.next('pushAck')).pushAck).toEqual({ msgId: 'm-1' });
        again.sendPush({ msgId: 'm-2' });
        expect((await restartedInbox.next()).msgId).toBe('m-2');
        expect(restartedInbox.pending()).toEqual([]);
        // Flushes the save m-2's ack started: the directory must not get a file while it is removed.
        await restarted.appToBackground();
      } finally {
        await rm(directory, { recursive: true, force: true });
      }
    });

    it('forgets a persisted msgId once its message expired, and keeps at most recentMessageIds of them', async () => {
      const storage = new MemoryStorage({
        syncPoints: [],
        pushMsgIds: [
          { msgId: 'expired', expireAtMs: NOW - 1 },
          { msgId: 'valid', expireAtMs: NOW + 60_000 },
          { msgId: 'no-expiry', expireAtMs: 0 },
        ],
      });
      const client = await newPushClient({ persistence: storage, recentMessageIds: 3 });
      const inbox = pushInbox(client);
      const connection = await connect(client);

      connection.sendPush({ msgId: 'valid', expireAtMs: NOW + 60_000 });
      expect((await connection.next('pushAck')).pushAck).toEqual({ msgId: 'valid' });
      connection.sendPush({ msgId: 'm-1' });
      expect((await inbox.next()).msgId).toBe('m-1');
      await client.flush();
      expect((await storage.load())?.pushMsgIds).toEqual([
        { msgId: 'valid', expireAtMs: NOW + 60_000 },
        { msgId: 'no-expiry', expireAtMs: 0 },
        { msgId: 'm-1', expireAtMs: 0 },
      ]);

      nowMs = NOW + 120_000;
      connection.sendPush({ msgId: 'm-2' });
      connection.sendPush({ msgId: 'm-3' });
      expect((await inbox.next()).msgId).toBe('m-2');
      expect((await inbox.next()).msgId).toBe('m-3');
      await client.flush();
      expect((await storage.load())?.pushMsgIds?.map((entry) => entry.msgId)).toEqual(['m-1', 'm-2', 'm-3']);
    });

    it('holds messages that arrive without a callback, unacked, and raises them in order to the callbacks registered next', async () => {
      const client = await newPushClient();
      const connection = await connect(client);
      connection.sendPush({ msgId: 'm-1', title: 'first' });
      connection.sendPush({ msgId: 'm-2', title: 'second' });
      connection.sendPush({ msgId: 'm-1', title: 'first' });
      await roundTrip(connection);
      expect(connection.received('pushAck')).toEqual([]);

      const first = pushInbox(client);
      const second = pushInbox(client);
      for (const inbox of [first, second]) {
        expect((await inbox.next()).msgId).toBe('m-1');
        expect((await inbox.next()).msgId).toBe('m-2');
      }
      expect((await connection.next('pushAck')).pushAck).toEqual({ msgId: 'm-1' });
      expect((await connection.next('pushAck')).pushAck).toEqual({ msgId: 'm-2' });
      await roundTrip(connection);
      expect(first.pending()).toEqual([]);
      expect(connection.received('pushAck')).toEqual([]);
    });

    it('keeps the rest held when the callbacks unregister while the held messages are raised', async () => {
      const client = await newPushClient();
      const connection = await connect(client);
      connection.sendPush({ msgId: 'm-1' });
      connection.sendPush({ msgId: 'm-2' });
      await roundTrip(connection);

      const raised: string[] = [];
      const unsubscribe = client.onPushMessage((message) => {
        raised.push(message.msgId);
        unsubscribe();
      });
      expect((await connection.next('pushAck')).pushAck).toEqual({ msgId: 'm-1' });
      expect(raised).toEqual(['m-1']);

      const inbox = pushInbox(client);
      expect((await inbox.next()).msgId).toBe('m-2');
      expect(raised).toEqual(['m-1']);
    });

    it('acks but does not raise a message that expired, before arriving or while held', async () => {
      const client = await newPushClient();
      const connection = await connect(client);
      connection.sendPush({ msgId: 'held', expireAtMs: NOW + 1000 });
      await roundTrip(connection);

      nowMs = NOW + 2000;
      const inbox = pushInbox(client);
      expect((await connection.next('pushAck')).pushAck).toEqual({ msgId: 'held' });
      connection.sendPush({ msgId: 'late', expireAtMs: NOW + 1999 });
      expect((await connection.next('pushAck')).pushAck).toEqual({ msgId: 'late' });
      connection.sendPush({ msgId: 'fresh', expireAtMs: NOW + 2000 });
      expect((await inbox.next()).msgId).toBe('fresh');
      expect(inbox.pending()).toEqual([]);
    });

    it('still acks a push when the callback throws, and reports the failure as an error event', async () => {
      const client = await newPushClient();
      const errors = events<PushSyncError>(client, 'error');
      client.onMessage(() => {
        throw new Error('app bug');
      });
      const connection = await connect(client);
      connection.sendPush({ msgId: 'm-9' });
      expect((await connection.next('pushAck')).pushAck).toEqual({ msgId: 'm-9' });
      expect((await errors.next()).code).toBe('CALLBACK_ERROR');
    });

    it('reportPushOpen and reportPushIgnored send PushReport frames', async () => {
      const client = await newPushClient();
      const connection = await connect(client);
      client.reportPushOpen('m-1');
      client.reportPushIgnored('m-2');
      expect((await connection.next('pushReport')).pushReport).toEqual({ msgId: 'm-1', kind: 'OPENED' });
      expect((await connection.next('pushReport')).pushReport).toEqual({ msgId: 'm-2', kind: 'IGNORED' });
      expect(() => client.reportPushOpen('')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    });

    it('queues push reports made offline and sends them after the next handshake', async () => {
      const client = await newPushClient();
      client.reportPushOpen('m-offline');
      const connection = await connect(client);
      expect((await connection.next('pushReport')).pushReport).toEqual({ msgId: 'm-offline', kind: 'OPENED' });
    });

    it('raises a revoke of a message already raised', async () => {
      const client = await newPushClient();
      const inbox = pushInbox(client);
      const revokes = new AsyncQueue<PushRevoke>('a revoke');
      client.onPushRevoke((revoke) => revokes.push(revoke));
      const connection = await connect(client);
      connection.sendPush({ msgId: 'm-1' });
      expect((await inbox.next()).msgId).toBe('m-1');
      connection.send({ seq: 0, revoke: { msgId: 'm-1' } });
      expect(await revokes.next()).toEqual({ msgId: 'm-1' });
    });

    it('a revoke of a held message drops it (acked, never raised) and is raised itself', async () => {
      const client = await newPushClient();
      const revokes = new AsyncQueue<PushRevoke>('a revoke');
      client.onPushRevoke((revoke) => revokes.push(revoke));
      const connection = await connect(client);
      connection.sendPush({ msgId: 'm-held' });
      connection.sendPush({ msgId: 'm-kept' });
      connection.send({ seq: 0, revoke: { msgId: 'm-held' } });
      expect(await revokes.next()).toEqual({ msgId: 'm-held' });
      expect((await connection.next('pushAck')).pushAck).toEqual({ msgId: 'm-held' });

      const inbox = pushInbox(client);
      expect((await inbox.next()).msgId).toBe('m-kept');
      connection.sendPush({ msgId: 'm-held' });
      expect((await connection.next('pushAck')).pushAck).toEqual({ msgId: 'm-kept' });
      expect((await connection.next('pushAck')).pushAck).toEqual({ msgId: 'm-held' });
      expect(inbox.pending()).toEqual([]);
    });

    it('a revoke that arrives before its message keeps that message from being raised', async () => {
      const client = await newPushClient();
      const inbox = pushInbox(client);
      const connection = await connect(client);
      connection.send({ seq: 0, revoke: { msgId: 'm-1' } });
      connection.sendPush({ msgId: 'm-1' });
      expect((await connection.next('pushAck')).pushAck).toEqual({ msgId: 'm-1' });
      connection.sendPush({ msgId: 'm-2' });
      expect((await inbox.next()).msgId).toBe('m-2');
      expect(inbox.pending()).toEqual([]);
    });
  });

  it('RPCs carry a seq and resolve with the matching RpcResult', async () => {
    server.options.rpc = (frame) =>
      frame.reportVendorToken ? { success: false, code: 3054, name: 'DELIVERYTOKEN_INVALID', message: 'bad token' } : { ...RPC_OK, message: `seq ${frame.seq}` };
    const client = await newClient();
    const connection = await connect(client);

    const [bound, unbound] = await Promise.all([client.updateUserInfo('user-1', 'session-1'), client.clearUserInfo()]);
    const bindFrame = await connection.next('bindUser');
    const unbindFrame = await connection.next('unbindUser');
    expect(bindFrame.bindUser).toEqual({ userId: 'user-1', sessionId: 'session-1' });
    expect(bindFrame.seq).not.toBe(0);
    expect(unbindFrame.seq).not.toBe(bindFrame.seq);
    expect(bound).toEqual({ success: true, code: 100, name: 'SUCCESS', message: `seq ${bindFrame.seq}` });
    expect(unbound.message).toBe(`seq ${unbindFrame.seq}`);

    await expect(client.bind('user-2')).resolves.toMatchObject({ success: true });
    expect((await connection.next('bindUser')).bindUser).toEqual({ userId: 'user-2', sessionId: '' });
    await expect(client.unbind()).resolves.toMatchObject({ success: true });

    await expect(client.report(5, 'huawei-token')).resolves.toEqual({ success: false, code: 3054, name: 'DELIVERYTOKEN_INVALID', message: 'bad token' });
    expect((await connection.next('reportVendorToken')).reportVendorToken).toEqual({ vendor: 'HUAWEI', vendorToken: 'huawei-token' });
    await expect(client.report('FCM', 'fcm-token')).resolves.toMatchObject({ code: 3054 });
    await expect(client.report(99, 'x')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('updateUserInfo with an empty userId answers NEED_USERID without sending anything', async () => {
    const client = await newClient();
    const connection = await connect(client);
    await expect(client.updateUserInfo('', 'session')).resolves.toEqual({ success: false, code: 3012, name: 'NEED_USERID', message: 'need userid' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(connection.received('bindUser')).toEqual([]);
  });

  it('an RPC called before the connection is up is sent once connected', async () => {
    const client = await newClient();
    client.appToForeground();
    const result = client.updateUserInfo('early-user', 's');
    const connection = await server.connections.next();
    await expect(result).resolves.toMatchObject({ success: true });
    expect((await connection.next('bindUser')).bindUser!.userId).toBe('early-user');
  });

  it('an RPC without an answer rejects with RPC_TIMEOUT', async () => {
    server.options.rpc = () => undefined;
    const client = await newClient({ rpcTimeoutMs: 150 });
    await connect(client);
    const started = Date.now();
    await expect(client.updateUserInfo('user-1', 's')).rejects.toMatchObject({ name: 'PushSyncError', code: 'RPC_TIMEOUT', message: expect.stringContaining('no RpcResult arrived') });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('an RPC in background rejects with NOT_CONNECTED', async () => {
    const client = await newClient();
    await expect(client.clearUserInfo()).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
  });

  it('reconnects with exponential back-off and full jitter while the server is down, then resumes', async () => {
    const client = await newClient({ reconnect: { baseMs: 20, maxMs: 100 }, random: () => 0.5 });
    const disconnects = events<DisconnectedEvent>(client, 'disconnected');
    const reconnects = events<ReconnectingEvent>(client, 'reconnecting');
    await connect(client);
    const token = client.getDeviceToken();
    const port = server.tcpPort;

    await server.stop();
    expect(await disconnects.next()).toMatchObject({ reason: 'server-closed', willReconnect: true });
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) delays.push((await reconnects.next(2000)).delayMs);
    expect(delays).toEqual([10, 20, 40, 50, 50]);
    expect(client.isConnected()).toBe(false);

    server = await new CometTestServer().start(port);
    const connection = await server.connections.next(3000);
    expect(connection.handshake!.deviceToken).toBe(token);
    await client.whenConnected(1000);
    connection.destroy();
    expect((await reconnects.next(2000)).delayMs).toBe(10); // a successful handshake resets the back-off
  });

  it('appToForeground while already in foreground keeps a pending back-off', async () => {
    const client = await newClient({ reconnect: { baseMs: 5000, maxMs: 5000 }, random: () => 0.5 });
    const reconnects = events<ReconnectingEvent>(client, 'reconnecting');
    const connection = await connect(client);
    connection.destroy();
    expect((await reconnects.next()).delayMs).toBe(2500);
    client.appToForeground();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(server.connections.pending()).toEqual([]);
  });

  it('an ack made offline moves the sync point that the next handshake carries', async () => {
    const client = await newClient();
    const inbox = syncInbox(client, 'ORDERS');
    const connection = await connect(client);
    connection.sendSyncData('ORDERS', 'u', [{ id: 10 }, { id: 11 }]);
    const message = await inbox.next();
    await client.appToBackground();
    client.reportMsgReceived(message);
    client.appToForeground();
    const again = await server.connections.next();
    expect(again.handshake!.syncPoints).toEqual([{ bizType: 'ORDERS', key: 'u', oplogId: 11 }]);
  });

  it('uses the HandshakeAck back-off hint as the base of its back-off', async () => {
    server.options.reconnectBackoffMs = 300;
    const client = await newClient({ reconnect: { baseMs: 10, maxMs: 1000 }, random: () => 0.5 });
    const reconnects = events<ReconnectingEvent>(client, 'reconnecting');
    const connection = await connect(client);
    connection.destroy();
    expect((await reconnects.next()).delayMs).toBe(150);
  });

  it('honours GoAway: disconnects and reconnects after reconnect_after_ms instead of its back-off', async () => {
    const client = await newClient({ reconnect: { baseMs: 20_000, maxMs: 60_000 }, random: () => 0.5 });
    const goAways = events<{ reason: string; reconnectAfterMs: number }>(client, 'goAway');
    const disconnects = events<DisconnectedEvent>(client, 'disconnected');
    const connection = await connect(client);
    const started = Date.now();
    connection.send({ seq: 0, goAway: { reason: 'draining', reconnectAfterMs: 200 } });
    expect(await goAways.next()).toEqual({ reason: 'draining', reconnectAfterMs: 200 });
    expect(await disconnects.next()).toMatchObject({ reason: 'go-away', willReconnect: true });
    await connection.whenClosed();
    await server.connections.next(3000);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(3000);
  });

  it('appToBackground disconnects and does not reconnect until appToForeground', async () => {
    const client = await newClient({ reconnect: { baseMs: 10, maxMs: 20 } });
    const disconnects = events<DisconnectedEvent>(client, 'disconnected');
    const connection = await connect(client);
    await client.appToBackground();
    expect(await disconnects.next()).toMatchObject({ reason: 'background', willReconnect: false });
    expect(client.isConnected()).toBe(false);
    await connection.whenClosed();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(server.connections.pending()).toEqual([]);
    expect(server.openConnections).toBe(0);

    client.appToForeground();
    await server.connections.next();
    await client.whenConnected(1000);
  });

  it('pings at the advertised interval and reconnects when no Pong comes back', async () => {
    server.options.heartbeatIntervalMs = 40;
    const client = await newClient({ pongTimeoutMs: 60 });
    const disconnects = events<DisconnectedEvent>(client, 'disconnected');
    const connection = await connect(client);
    await connection.next('ping');
    await connection.next('ping');
    expect(client.isConnected()).toBe(true);

    server.options.answerPings = false;
    const event = await disconnects.next(2000);
    expect(event).toMatchObject({ reason: 'pong-timeout', willReconnect: true });
    expect(event.error?.code).toBe('PONG_TIMEOUT');
    server.options.answerPings = true;
    await server.connections.next(2000);
  });

  it('reports a server Error frame and reconnects after the server closes', async () => {
    const client = await newClient();
    const errors = events<PushSyncError>(client, 'error');
    const disconnects = events<DisconnectedEvent>(client, 'disconnected');
    const connection = await connect(client);
    connection.send({ seq: 0, error: { code: 'SLOW_CONSUMER', message: 'too slow' } });
    connection.close();
    const error = await errors.next();
    expect(error).toMatchObject({ code: 'SERVER_ERROR', serverCode: 'SLOW_CONSUMER' });
    expect(await disconnects.next()).toMatchObject({ reason: 'server-error', willReconnect: true });
    await server.connections.next();
  });

  it('refuses a tcp:// endpoint without a TCP transport, and calls before initialize', async () => {
    const client = new PushSyncClient();
    expect(() => client.appToForeground()).toThrow(expect.objectContaining({ code: 'NOT_INITIALIZED' }));
    await expect(client.initialize({ endpoint: server.tcpEndpoint, appId: 'a', workspaceId: 'w', clientKey: 'k' })).rejects.toMatchObject({
      code: 'TRANSPORT_UNAVAILABLE',
    });
  });
});

/** Resolves once the client has processed every frame sent before: it answers a server Ping in order. */
async function roundTrip(connection: TestConnection): Promise<void> {
  connection.send({ seq: 0, ping: { clientTimeMs: 1 } });
  await connection.next('pong');
}

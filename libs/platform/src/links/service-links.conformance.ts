import { createServer } from 'node:net';
import { join } from 'node:path';
import { GrpcServiceLinks } from './grpc-links.adapter';
import { InProcessServiceLinks } from './in-process-links.adapter';
import { DomainError, NotFoundError } from '../errors/domain.error';
import { RemoteCallError } from './remote-call.error';
import type { ServiceDefinition, ServiceLinks } from './service-links.port';
import { eventually, sleep } from '../testing/eventually';

/**
 * The services of `proto/pushsync/v1/sync_core.proto` and `push_core.proto`, as `SYNC_CORE` / `PUSH_CORE` in libs/contracts
 * declare them (the platform library may not import contracts, so they are mirrored here).
 */
interface StatusRequest {
  appId: string;
  workspaceId: string;
}
interface StatusReply {
  service: string;
  nodeId: string;
  appKnown: boolean;
  serverTime: number;
}
type StatusService = { Status(request: StatusRequest): Promise<StatusReply> };
const SYNC_CORE: ServiceDefinition<StatusService> = { name: 'pushsync.v1.SyncCore', protoFile: 'pushsync/v1/sync_core.proto', methods: ['Status'] };
const PUSH_CORE: ServiceDefinition<StatusService> = { name: 'pushsync.v1.PushCore', protoFile: 'pushsync/v1/push_core.proto', methods: ['Status'] };

const PROTO_ROOT = join(__dirname, '../../../../proto');
const DEADLINE_MS = 1500;

/** A port nothing listens on at the moment (the OS just handed it out and it was released). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}



/** Where a service is served and where it is called from; for gRPC, two instances over loopback. */
interface Topology {
  server: ServiceLinks;
  client: ServiceLinks;
  /** A client whose PushCore target is up and serving, but serves SyncCore only. */
  misdirected: ServiceLinks;
  /** The serving side anew after `server.close()`: gRPC, a new instance on the same port (a restarted process). */
  restartServer(): ServiceLinks;
  close(): Promise<void>;
}

const topologies: Array<[ServiceLinks['kind'], () => Promise<Topology>]> = [
  [
    'in-process',
    async () => {
      const links = new InProcessServiceLinks();
      return { server: links, client: links, misdirected: links, restartServer: () => links, close: () => links.close() };
    },
  ],
  [
    'grpc',
    async () => {
      const [port, deadPort] = await Promise.all([freePort(), freePort()]);
      const listen = `127.0.0.1:${port}`;
      const serving: GrpcServiceLinks[] = [];
      const newServer = (): GrpcServiceLinks => {
        const links = new GrpcServiceLinks({ protoRoot: PROTO_ROOT, listen, targets: {} });
        serving.push(links);
        return links;
      };
      // PushCore points at a port where nothing listens.
      const client = new GrpcServiceLinks({ protoRoot: PROTO_ROOT, targets: { [SYNC_CORE.name]: listen, [PUSH_CORE.name]: `127.0.0.1:${deadPort}` }, deadlineMs: DEADLINE_MS });
      const misdirected = new GrpcServiceLinks({ protoRoot: PROTO_ROOT, targets: { [PUSH_CORE.name]: listen }, deadlineMs: DEADLINE_MS });
      return {
        server: newServer(),
        client,
        misdirected,
        restartServer: newServer,
        close: async () => {
          await Promise.all([client.close(), misdirected.close()]);
          await Promise.all(serving.map((links) => links.close()));
        },
      };
    },
  ],
];

describe.each(topologies)('ServiceLinks conformance: %s', (kind, createTopology) => {
  let topology: Topology;
  let server: ServiceLinks;
  let sync: StatusService;
  let push: StatusService;
  /** What the served implementation does; each test sets it. */
  let behaviour: (request: StatusRequest) => Promise<StatusReply>;

  beforeAll(async () => {
    topology = await createTopology();
    server = topology.server;
    await server.serve(SYNC_CORE, { Status: (request) => behaviour(request) });
    sync = topology.client.client(SYNC_CORE);
    push = topology.client.client(PUSH_CORE);
  });

  afterAll(async () => {
    await topology.close();
  });

  it('has the expected kind on both sides', () => {
    expect(server.kind).toBe(kind);
    expect(topology.client.kind).toBe(kind);
  });

  it('carries every request and reply field intact: strings, booleans and int64 as a number', async () => {
    const cases: Array<[StatusRequest, StatusReply]> = [
      [{ appId: 'app-1', workspaceId: 'ws-1' }, { service: 'sync-core', nodeId: 'node-a', appKnown: true, serverTime: 1_767_225_600_123 }],
      [{ appId: '应用-ü-😀', workspaceId: '' }, { service: '', nodeId: 'ノード', appKnown: false, serverTime: 0 }],
      [{ appId: 'x'.repeat(10_000), workspaceId: 'w' }, { service: 's', nodeId: 'n', appKnown: true, serverTime: Number.MAX_SAFE_INTEGER }],
      [{ appId: 'neg', workspaceId: 'w' }, { service: 's', nodeId: 'n', appKnown: false, serverTime: -1_234_567_890_123 }],
    ];
    for (const [request, reply] of cases) {
      const received: StatusRequest[] = [];
      behaviour = async (incoming) => {
        received.push(incoming);
        return reply;
      };
      const answer = await sync.Status(request);
      expect(received).toEqual([request]);
      expect(answer).toEqual(reply);
      expect(typeof answer.serverTime).toBe('number');
      expect(typeof answer.appKnown).toBe('boolean');
    }
  });

  it('turns a DomainError of the implementation into RemoteCallError with its code, kind and message', async () => {
    const message = 'no app "app-9" in workspace «ü-工作区 😀»,\n100% sure';
    behaviour = async () => {
      throw new NotFoundError(message, 'APP_NOT_FOUND');
    };
    const error = await sync.Status({ appId: 'app-9', workspaceId: 'w' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteCallError);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ service: SYNC_CORE.name, method: 'Status', code: 'APP_NOT_FOUND', kind: 'not-found', numericCode: undefined });
    expect((error as Error).message).toContain(message);
  });

  it('keeps the numeric code of a DomainError (push result codes cross links)', async () => {
    behaviour = async () => {
      throw new DomainError('APPID_WRONG', 'forbidden', 'this key belongs to another app', 3007);
    };
    const error = await sync.Status({ appId: 'a', workspaceId: 'w' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'APPID_WRONG', kind: 'forbidden', numericCode: 3007 });
  });

  it('turns an unexpected error of the implementation into RemoteCallError INTERNAL, and keeps serving', async () => {
    behaviour = async (request) => {
      if (request.appId === 'boom') throw new TypeError('cannot read properties of undefined');
      return { service: 'ok', nodeId: 'n', appKnown: true, serverTime: 1 };
    };
    const error = await sync.Status({ appId: 'boom', workspaceId: 'w' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteCallError);
    expect(error).toMatchObject({ service: SYNC_CORE.name, method: 'Status', code: 'INTERNAL', kind: 'internal' });
    await expect(sync.Status({ appId: 'fine', workspaceId: 'w' })).resolves.toMatchObject({ service: 'ok' });
  });

  it('fails with RemoteCallError UNAVAILABLE, promptly, when nobody serves the service', async () => {
    const started = Date.now();
    const error = await push.Status({ appId: 'a', workspaceId: 'w' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteCallError);
    expect(error).toMatchObject({ service: PUSH_CORE.name, method: 'Status', code: 'UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(DEADLINE_MS + 1000);
  });

  it('fails with RemoteCallError UNAVAILABLE when the target runs but does not serve the service', async () => {
    const error = await topology.misdirected.client(PUSH_CORE).Status({ appId: 'a', workspaceId: 'w' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteCallError);
    expect(error).toMatchObject({ service: PUSH_CORE.name, method: 'Status', code: 'UNAVAILABLE' });
  });

  it('ping resolves for a served service and rejects with UNAVAILABLE for an unserved one', async () => {
    await expect(topology.client.ping(SYNC_CORE)).resolves.toBeUndefined();
    const error = await topology.client.ping(PUSH_CORE).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteCallError);
    expect((error as RemoteCallError).code).toBe('UNAVAILABLE');
  });

  it('copies messages: neither side can change the other side’s objects', async () => {
    let kept: StatusReply | undefined;
    behaviour = async (request) => {
      request.appId = 'changed by the callee';
      kept = { service: 'original', nodeId: request.workspaceId, appKnown: true, serverTime: 7 };
      return kept;
    };
    const request = { appId: 'mine', workspaceId: 'w' };
    const reply = await sync.Status(request);
    expect(request).toEqual({ appId: 'mine', workspaceId: 'w' });
    // The callee keeps and changes the object it returned, the caller changes its copy.
    kept!.service = 'changed by the callee afterwards';
    expect(reply.service).toBe('original');
    reply.nodeId = 'changed by the caller';
    expect(kept!.nodeId).toBe('w');
  });

  it('answers 200 concurrent calls, each with its own reply', async () => {
    behaviour = async (request) => {
      const n = Number(request.appId.slice('app-'.length));
      await sleep(n % 7);
      return { service: `reply-to-${request.appId}`, nodeId: request.workspaceId, appKnown: n % 2 === 0, serverTime: 1_700_000_000_000 + n };
    };
    const replies = await Promise.all(Array.from({ length: 200 }, (_, n) => sync.Status({ appId: `app-${n}`, workspaceId: `ws-${n}` })));
    replies.forEach((reply, n) => expect(reply).toEqual({ service: `reply-to-app-${n}`, nodeId: `ws-${n}`, appKnown: n % 2 === 0, serverTime: 1_700_000_000_000 + n }));
  });

  it('stops answering on close(), and a new serve (gRPC: a new process on the same port) answers again', async () => {
    behaviour = async () => ({ service: 'first', nodeId: 'n', appKnown: true, serverTime: 1 });
    await expect(sync.Status({ appId: 'a', workspaceId: 'w' })).resolves.toMatchObject({ service: 'first' });
    await server.close();
    const error = await sync.Status({ appId: 'a', workspaceId: 'w' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteCallError);
    expect((error as RemoteCallError).code).toBe('UNAVAILABLE');

    server = topology.restartServer();
    await server.serve(SYNC_CORE, { Status: async () => ({ service: 'second', nodeId: 'n', appKnown: true, serverTime: 2 }) });
    // A gRPC channel that saw the server go away reconnects with back-off: allow it a few seconds.
    const reply = await eventually(() => sync.Status({ appId: 'a', workspaceId: 'w' }));
    expect(reply).toEqual({ service: 'second', nodeId: 'n', appKnown: true, serverTime: 2 });
    await expect(topology.client.ping(SYNC_CORE)).resolves.toBeUndefined();
  }, 20000);
});

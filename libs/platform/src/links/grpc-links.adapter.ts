import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { join } from 'node:path';
import { DomainError, type ErrorKind } from '../errors/domain.error';
import { RemoteCallError } from './remote-call.error';
import type { ServiceDefinition, ServiceImplementation, ServiceLinks } from './service-links.port';

// A DomainError of the callee crosses as FAILED_PRECONDITION with these metadata entries.
const ERROR_CODE_KEY = 'ps-error-code';
const ERROR_KIND_KEY = 'ps-error-kind';
const ERROR_NUMERIC_KEY = 'ps-error-numeric';
const ERROR_KINDS: ReadonlySet<string> = new Set<ErrorKind>(['validation', 'authentication', 'forbidden', 'not-found', 'conflict', 'rate-limited', 'unavailable', 'internal']);
const DEFAULT_DEADLINE_MS = 10_000;

export interface GrpcServiceLinksOptions {
  /** Directory holding `pushsync/v1/*.proto`. */
  protoRoot: string;
  /** `host:port` to serve on; needed only by processes that serve. */
  listen?: string;
  /** Where each remote service runs: proto service name -> `host:port`. */
  targets: Record<string, string>;
  deadlineMs?: number;
}

type GrpcClient = grpc.Client & Record<string, (request: unknown, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<unknown>) => void>;

/** Cluster service links over gRPC, with messages described by the proto files (no generated stubs needed at run time). */
export class GrpcServiceLinks implements ServiceLinks {
  public readonly kind = 'grpc' as const;
  private server: grpc.Server | undefined;
  private started: Promise<void> | undefined;
  private readonly clients = new Map<string, GrpcClient>();

  public constructor(private readonly options: GrpcServiceLinksOptions) {}

  public async serve<S extends ServiceImplementation>(definition: ServiceDefinition<S>, implementation: S): Promise<void> {
    if (!this.options.listen) throw new Error(`cannot serve ${definition.name}: no listen address configured`);
    this.server ??= new grpc.Server();
    const handlers: grpc.UntypedServiceImplementation = {};
    for (const method of definition.methods) {
      handlers[method] = (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        implementation[method](call.request).then(
          (reply) => callback(null, reply),
          (error: unknown) => callback(toServiceError(error)),
        );
      };
    }
    this.server.addService(this.serviceOf(definition).service, handlers);
    await this.start();
  }

  public client<S extends ServiceImplementation>(definition: ServiceDefinition<S>): S {
    const stub = this.stubFor(definition);
    const client: ServiceImplementation = {};
    for (const method of definition.methods) {
      client[method] = (request: unknown) =>
        new Promise((resolve, reject) => {
          const deadline = Date.now() + (this.options.deadlineMs ?? DEFAULT_DEADLINE_MS);
          stub[method](request, new grpc.Metadata(), { deadline }, (error, reply) => {
            if (error) reject(fromServiceError(definition.name, method, error));
            else resolve(reply);
          });
        });
    }
    return client as S;
  }

  public async ping<S extends ServiceImplementation>(definition: ServiceDefinition<S>): Promise<void> {
    const stub = this.stubFor(definition);
    await new Promise<void>((resolve, reject) =>
      stub.waitForReady(Date.now() + 2000, (error) => (error ? reject(RemoteCallError.unavailable(definition.name, 'ping', error.message)) : resolve())),
    );
  }

  public async close(): Promise<void> {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
    const server = this.server;
    this.server = undefined;
    this.started = undefined;
    if (server) {
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 5000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
    }
  }

  private start(): Promise<void> {
    this.started ??= new Promise((resolve, reject) => {
      this.server!.bindAsync(this.options.listen!, grpc.ServerCredentials.createInsecure(), (error) => (error ? reject(error) : resolve()));
    });
    return this.started;
  }

  private stubFor<S extends ServiceImplementation>(definition: ServiceDefinition<S>): GrpcClient {
    let stub = this.clients.get(definition.name);
    if (!stub) {
      const target = this.options.targets[definition.name];
      if (!target) throw RemoteCallError.unavailable(definition.name, 'connect', 'no address configured for this service');
      stub = new (this.serviceOf(definition))(target, grpc.credentials.createInsecure()) as GrpcClient;
      this.clients.set(definition.name, stub);
    }
    return stub;
  }

  private serviceOf<S extends ServiceImplementation>(definition: ServiceDefinition<S>): grpc.ServiceClientConstructor {
    const packageDefinition = protoLoader.loadSync(join(this.options.protoRoot, definition.protoFile), {
      keepCase: false,
      longs: Number,
      enums: String,
      defaults: true,
      oneofs: true,
      includeDirs: [this.options.protoRoot],
    });
    const loaded = grpc.loadPackageDefinition(packageDefinition);
    const service = definition.name.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], loaded);
    if (typeof service !== 'function') throw new Error(`${definition.name} is not declared in ${definition.protoFile}`);
    return service as grpc.ServiceClientConstructor;
  }
}

function toServiceError(error: unknown): Partial<grpc.StatusObject> {
  const metadata = new grpc.Metadata();
  if (error instanceof DomainError) {
    metadata.set(ERROR_CODE_KEY, error.code);
    metadata.set(ERROR_KIND_KEY, error.kind);
    if (error.numericCode !== undefined) metadata.set(ERROR_NUMERIC_KEY, String(error.numericCode));
    return { code: grpc.status.FAILED_PRECONDITION, details: error.message, metadata };
  }
  return { code: grpc.status.INTERNAL, details: (error as Error).message ?? String(error), metadata };
}

function fromServiceError(service: string, method: string, error: grpc.ServiceError): RemoteCallError {
  const [code] = error.metadata?.get(ERROR_CODE_KEY) ?? [];
  const [kind] = error.metadata?.get(ERROR_KIND_KEY) ?? [];
  const [numeric] = error.metadata?.get(ERROR_NUMERIC_KEY) ?? [];
  if (typeof code === 'string' && typeof kind === 'string' && ERROR_KINDS.has(kind)) {
    return new RemoteCallError(service, method, code, kind as ErrorKind, error.details, typeof numeric === 'string' ? Number(numeric) : undefined);
  }
  // UNIMPLEMENTED: the process at the target runs but does not serve this service, as in-process links say UNAVAILABLE.
  const unavailable = [grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.UNIMPLEMENTED];
  if (unavailable.includes(error.code)) return RemoteCallError.unavailable(service, method, error.details);
  return RemoteCallError.internal(service, method, error.details);
}

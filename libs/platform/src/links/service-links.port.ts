/**
 * Service links port: request/response calls between services, described by a proto service
 * in `proto/pushsync/v1`. The cluster adapter speaks gRPC; the embedded one calls the
 * implementation in-process with the same copy-on-call semantics.
 * Both adapters must pass `service-links.conformance.ts`.
 */
// Method signatures are checked against the contracts types; `any` keeps this port generic.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ServiceImplementation = Record<string, (request: any) => Promise<any>>;

export interface ServiceDefinition<S extends ServiceImplementation> {
  /** Fully qualified proto service name, e.g. `pushsync.v1.SyncCore`. */
  name: string;
  /** The proto file (relative to `proto/`) that declares it. */
  protoFile: string;
  methods: ReadonlyArray<keyof S & string>;
}

export interface ServiceLinks {
  readonly kind: 'grpc' | 'in-process';
  /** Starts answering calls of `definition` with `implementation`. */
  serve<S extends ServiceImplementation>(definition: ServiceDefinition<S>, implementation: S): Promise<void>;
  /** A client whose methods call the service wherever it runs. */
  client<S extends ServiceImplementation>(definition: ServiceDefinition<S>): S;
  /** Whether a served or remote service answers. */
  ping<S extends ServiceImplementation>(definition: ServiceDefinition<S>): Promise<void>;
  close(): Promise<void>;
}

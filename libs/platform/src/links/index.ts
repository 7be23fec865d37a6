export * from './service-links.port';
export { RemoteCallError } from './remote-call.error';
export { InProcessServiceLinks } from './in-process-links.adapter';
export { GrpcServiceLinks } from './grpc-links.adapter';

import { GrpcServiceLinks, InProcessServiceLinks, type ServiceLinks } from '@pushsync/platform';
import { protoRoot } from './proto-root';

/** In-process links when every service shares the process, gRPC between processes. */
export function createServiceLinks(mode: 'embedded' | 'cluster', grpc: { listen?: string; targets?: Record<string, string>; protoDir?: string }): ServiceLinks {
  if (mode === 'embedded') return new InProcessServiceLinks();
  return new GrpcServiceLinks({ protoRoot: protoRoot(grpc.protoDir), listen: grpc.listen, targets: grpc.targets ?? {} });
}

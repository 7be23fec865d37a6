import { z } from 'zod';
import { envPort, infrastructureEnvShape, requireClusterAddresses } from '@pushsync/platform';

export const GRPC_ADDRESS = z.string().regex(/^[^:\s]+:\d{1,5}$/, 'must be host:port');

/** The environment every service reads; each service extends it. */
export function serviceEnvSchema<Extra extends z.ZodRawShape>(httpPort: number, extra: Extra) {
  return z
    .object({
      ...infrastructureEnvShape,
      HTTP_HOST: z.string().min(1).default('127.0.0.1'),
      HTTP_PORT: envPort(httpPort),
      ...extra,
    })
    .superRefine(requireClusterAddresses);
}

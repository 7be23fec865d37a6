import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The repository's `proto/` folder, found upwards from this file (works from src/ and dist/). */
export function protoRoot(override?: string): string {
  if (override) return override;
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'proto', 'pushsync', 'v1'))) return join(dir, 'proto');
  }
  throw new Error('proto/pushsync/v1 not found above ' + __dirname + '; set PUSHSYNC_PROTO_DIR');
}

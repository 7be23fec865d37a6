import type { JsonValue } from './store.port';

type Container = { [key: string]: JsonValue | undefined };

export function readPath(document: Container, path: string): JsonValue | undefined {
  let current: JsonValue | undefined = document;
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = (current as Container)[segment];
  }
  return current;
}

export function writePath(document: Container, path: string, value: JsonValue | undefined): void {
  const segments = path.split('.');
  let current: Container = document;
  for (const segment of segments.slice(0, -1)) {
    const next = current[segment];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) {
      current[segment] = {};
    }
    current = current[segment] as Container;
  }
  const last = segments[segments.length - 1];
  if (value === undefined) delete current[last];
  else current[last] = value;
}

const KEY = /^[A-Za-z0-9_=-]+(\.[A-Za-z0-9_=-]+)*$/;
const TOKEN = /^[A-Za-z0-9_=-]+$/;

export function assertValidKey(key: string): void {
  if (!KEY.test(key)) throw new TypeError(`invalid kv key "${key}": dot-separated tokens of [A-Za-z0-9_=-]`);
}

/** A key pattern: key tokens, `*` for one token, a trailing `>` for the rest. */
export function assertValidPattern(pattern: string): void {
  const tokens = pattern.split('.');
  const valid = tokens.every((token, i) => TOKEN.test(token) || token === '*' || (token === '>' && i === tokens.length - 1));
  if (!valid) throw new TypeError(`invalid kv key pattern "${pattern}"`);
}

export function assertValidRevision(revision: number): void {
  if (!Number.isSafeInteger(revision) || revision < 1) throw new TypeError(`invalid kv revision ${revision}`);
}

export function assertValidBucketName(name: string): void {
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new TypeError(`invalid kv bucket name "${name}": [A-Za-z0-9_-]`);
}

import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';

/** Follows the static imports of a file through relative paths and @pushsync/* aliases; returns every bare specifier reached. */
function reachableSpecifiers(entry: string): Map<string, string> {
  const root = resolve(__dirname, '../../../..');
  const paths = (JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8')) as { compilerOptions: { paths: Record<string, string[]> } }).compilerOptions.paths;
  const seen = new Set<string>();
  const external = new Map<string, string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)) {
      const specifier = match[1]!;
      if (/^\s*import\s+type\s/.test(match[0]) || /^\s*export\s+type\s/.test(match[0])) continue;
      if (specifier.startsWith('.')) {
        const base = resolve(dirname(file), specifier);
        visit([`${base}.ts`, join(base, 'index.ts')].find((candidate) => existsSync(candidate))!);
      } else if (paths[specifier]) {
        visit(join(root, paths[specifier][0]!));
      } else {
        external.set(specifier, file);
      }
    }
  };
  visit(entry);
  return external;
}

describe('the browser entry (@pushsync/client)', () => {
  it('reaches no Node built-in module, so a browser bundle does not pull node:net', () => {
    const external = reachableSpecifiers(join(__dirname, 'index.ts'));
    const builtins = [...external.keys()].filter((specifier) => specifier.startsWith('node:') || builtinModules.includes(specifier));
    expect(builtins).toEqual([]);
    expect([...external.keys()].sort()).toEqual(['protobufjs/light']);
  });

  it('the Node entry adds the Node transports and storage', () => {
    const external = [...reachableSpecifiers(join(__dirname, 'node.ts')).keys()];
    expect(external).toEqual(expect.arrayContaining(['node:net', 'node:tls', 'node:fs/promises']));
  });
});

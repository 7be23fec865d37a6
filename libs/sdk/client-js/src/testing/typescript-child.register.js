// TEST FIXTURE: lets a child `node` process (spawned by a spec) run the SDK's TypeScript sources:
// compiles .ts with swc and resolves the @pushsync/* aliases of tsconfig.base.json to libs/.
const fs = require('node:fs');
const path = require('node:path');
const swc = require('@swc/core');
const tsconfigPaths = require('tsconfig-paths');

const root = path.resolve(__dirname, '../../../../..');
const { compilerOptions } = require(path.join(root, 'tsconfig.base.json'));

require.extensions['.ts'] = (module, filename) => {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    sourceMaps: 'inline',
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
tsconfigPaths.register({ baseUrl: root, paths: compilerOptions.paths });

// Lets `node` run the benchmarks' TypeScript directly (no build step for tools/bench): compiles each
// .ts file with swc as it is required and resolves the @pushsync/* aliases of tsconfig.base.json to
// the library sources in libs/. The services under test still run from dist/ (`npm run build`).
const fs = require('node:fs');
const path = require('node:path');
const swc = require('@swc/core');
const tsconfigPaths = require('tsconfig-paths');

const root = path.resolve(__dirname, '../..');
const { compilerOptions } = require(path.join(root, 'tsconfig.base.json'));

require.extensions['.ts'] = (module, filename) => {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    sourceMaps: 'inline',
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
tsconfigPaths.register({ baseUrl: root, paths: compilerOptions.paths });

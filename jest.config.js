// Three kinds of tests: unit (no infrastructure), conformance (ports against both adapters;
// the cluster adapters need tools/infra, see tools/test/run-all) and e2e (whole services).
const { compilerOptions } = require('./tsconfig.base.json');

const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [`^${alias.replace(/[/.]/g, '\\$&')}$`, `<rootDir>/${target}`]),
);

const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  moduleNameMapper,
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};

module.exports = {
  testTimeout: 30000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,tools}/**/*.spec.ts'] },
    { ...common, displayName: 'conformance', testMatch: ['<rootDir>/libs/**/*.conformance.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/{apps,libs}/**/*.e2e.ts'], globalSetup: '<rootDir>/tools/testing/build-once.js' },
  ],
};

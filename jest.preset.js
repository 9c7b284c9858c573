// Shared jest settings: swc transpiles TypeScript; workspace packages resolve to their sources so tests need no build.
const path = require('node:path');

const swc = [
  '@swc/jest',
  {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  },
];

/** @param {{ integration?: boolean, retryOnce?: boolean }} [opts] */
function preset(opts = {}) {
  return {
    testEnvironment: 'node',
    transform: { '^.+\\.(t|j)sx?$': swc },
    // Fastify's inject depends on cookie@2, which ships ESM only; jest under CommonJS needs it transpiled.
    transformIgnorePatterns: ['/node_modules/(?!cookie/)'],
    moduleNameMapper: {
      '^@lambda-iot/([a-z-]+)$': path.join(__dirname, 'packages/$1/src/index.ts'),
    },
    testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
    testPathIgnorePatterns:
      opts.integration === false ? ['/node_modules/', '\\.integration\\.test\\.ts$'] : ['/node_modules/'],
    testTimeout: 60_000,
    // Tests close every client they open, but some libraries keep native threads or timers alive after close
    // (DuckDB's reaper, kafkajs' reconnect timers); a run that finished must never hang `npm test` or CI.
    forceExit: true,
    reporters: ['default', path.join(__dirname, 'scripts/jest-summary-reporter.js')],
    ...(opts.retryOnce ? { setupFilesAfterEnv: [path.join(__dirname, 'scripts/jest-retry-once.js')] } : {}),
  };
}

module.exports = { preset };

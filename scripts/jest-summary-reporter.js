// Jest reporter that records each workspace's totals so `npm test` can print one closing line for the whole run.
const fs = require('node:fs');
const path = require('node:path');

const MAX_MESSAGE_CHARS = 600;

/** Each failed test (or suite that failed to run) with the start of its first failure message, colours stripped. */
function failuresOf(results) {
  const out = [];
  for (const file of results.testResults) {
    const where = path.relative(path.join(__dirname, '..'), file.testFilePath);
    if (file.testExecError || (file.failureMessage && file.numFailingTests === 0))
      out.push({ test: where, message: clip(file.testExecError?.message ?? file.failureMessage) });
    for (const t of file.testResults) {
      if (t.status === 'failed')
        out.push({ test: `${where} › ${t.fullName}`, message: clip(t.failureMessages[0] ?? '') });
    }
  }
  return out;
}

/** Tests that passed only on their retry (`jest-retry-once.js`), with the first attempt's error. */
function retriedOf(results) {
  const out = [];
  for (const file of results.testResults) {
    const where = path.relative(path.join(__dirname, '..'), file.testFilePath);
    for (const t of file.testResults) {
      if (t.status === 'passed' && (t.invocations ?? 1) > 1)
        out.push({ test: `${where} › ${t.fullName}`, message: clip(t.retryReasons?.[0] ?? '') });
    }
  }
  return out;
}

function clip(text) {
  // eslint-disable-next-line no-control-regex
  const plain = String(text)
    .replace(/\u001b\[[0-9;]*m/g, '')
    .split('\n')
    .filter((line) => !/^\s+at .*(node_modules|node:internal)/.test(line))
    .join('\n');
  return plain.length > MAX_MESSAGE_CHARS ? `${plain.slice(0, MAX_MESSAGE_CHARS)}…` : plain;
}

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const dir = path.join(__dirname, '..', 'test-results');
    fs.mkdirSync(dir, { recursive: true });
    const name = path.relative(path.join(__dirname, '..'), this.rootDir).replace(/[\\/]/g, '__') || 'root';
    const summary = {
      workspace: path.relative(path.join(__dirname, '..'), this.rootDir),
      passed: results.numPassedTests,
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
      skipped: results.numPendingTests + results.numTodoTests,
      // Named here because CI keeps only the tail of a long log: the closing summary must say what broke.
      failures: failuresOf(results),
      retried: retriedOf(results),
    };
    fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(summary));
  }
}

module.exports = SummaryReporter;

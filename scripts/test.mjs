#!/usr/bin/env node
// `npm test`: brings the stack up if needed, builds, runs every workspace's tests, and prints one closing line.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const resultsDir = join(root, 'test-results');
const extra = process.argv.slice(2);

function run(label, command, args) {
  const started = Date.now();
  console.log(`\n== ${label}`);
  const res = spawnSync(command, args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  });
  console.log(
    `== ${label}: ${res.status === 0 ? 'ok' : `failed (exit ${res.status ?? res.signal})`} in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  return res.status === 0;
}

rmSync(resultsDir, { recursive: true, force: true });
const stackUp = run('stack up', 'node', ['infra/local/bin/stack.mjs', 'up', '--quiet']);
const built = stackUp && run('build', 'npx', ['turbo', 'run', 'build', '--output-logs=errors-only']);
const tested =
  built && run('tests', 'npx', ['turbo', 'run', 'test', '--concurrency=1', '--continue', ...extra]);

let passed = 0;
let failed = 0;
let skipped = 0;
let retried = 0;
let files = [];
const indent = (text) => text.split('\n').join('\n       ');
try {
  files = readdirSync(resultsDir).filter((f) => f.endsWith('.json'));
} catch {
  // No workspace reported: counted as a failure below.
}
for (const file of files) {
  const s = JSON.parse(readFileSync(join(resultsDir, file), 'utf8'));
  passed += s.passed;
  failed += s.failed;
  skipped += s.skipped;
  if (s.failed > 0) console.log(`   failing: ${s.workspace} (${s.failed})`);
  for (const f of s.failures ?? []) console.log(`     ✕ ${f.test}\n       ${indent(f.message)}`);
  for (const f of s.retried ?? []) {
    retried++;
    console.log(`   passed on retry: ${f.test}\n       first attempt: ${indent(f.message)}`);
  }
}
const ok = stackUp && built && tested && failed === 0 && passed > 0;
console.log(`\n${files.length} workspaces tested`);
console.log(
  `${passed} passed, ${failed} failed, ${skipped} skipped${retried > 0 ? ` (${retried} passed on retry)` : ''}`,
);
process.exit(ok ? 0 : 1);

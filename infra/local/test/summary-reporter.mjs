// node:test reporter that records this workspace's totals in test-results/, as the jest reporter does for the others.
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../lib/config.mjs';

export default async function* summaryReporter(source) {
  const totals = { workspace: 'infra/local', passed: 0, failed: 0, skipped: 0 };
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    // Suites (describe) report too; only the tests inside them count.
    if (event.data.details?.type === 'suite') continue;
    if (event.data.skip !== undefined || event.data.todo !== undefined) totals.skipped++;
    else if (event.type === 'test:pass') totals.passed++;
    else totals.failed++;
  }
  const dir = path.join(repoRoot, 'test-results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'infra__local.json'), JSON.stringify(totals));
  yield `infra/local: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`;
}

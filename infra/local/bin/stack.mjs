#!/usr/bin/env node
// CLI for the local stack: `up [--quiet] [server…]`, `down`, `status`, `reset` (see infra/local/README.md).
import { dataDir } from '../lib/config.mjs';
import { acquireLock } from '../lib/lock.mjs';
import { select } from '../lib/servers.mjs';
import { down } from '../lib/commands/down.mjs';
import { reset } from '../lib/commands/reset.mjs';
import { status } from '../lib/commands/status.mjs';
import { up } from '../lib/commands/up.mjs';

const USAGE = `usage: stack.mjs <up|down|status|reset> [--quiet] [kafka|cassandra|redis|mosquitto …]
  up      start what is not already answering, wait until every server answers
  down    stop what the stack started, leave external servers running
  status  one line per server; exit 1 unless all are up
  reset   down, then delete the stack's data under ${dataDir}`;

const commands = { up, down, status, reset };
// status only reads, so it must not queue behind a long `up`.
const locked = new Set(['up', 'down', 'reset']);

const startedAt = Date.now();

async function main(argv) {
  const [name, ...rest] = argv;
  const quiet = rest.includes('--quiet') || rest.includes('-q');
  const names = rest.filter((a) => !a.startsWith('-'));
  const command = commands[name];
  if (!command || rest.some((a) => a.startsWith('-') && a !== '--quiet' && a !== '-q')) {
    console.error(USAGE);
    return name === undefined || name === '--help' || name === '-h' ? 0 : 2;
  }
  const out = {
    startedAt,
    info: quiet ? () => {} : (msg) => console.log(msg),
    problem: (msg) => console.error(msg),
    summary: (msg) => console.log(msg),
  };
  const servers = select(names);
  const release = locked.has(name)
    ? await acquireLock({
        onWait: (pid) => out.info(`waiting for another stack command (pid ${pid}) to finish…`),
      })
    : () => {};
  try {
    return await command(servers, out);
  } finally {
    release();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`stack: ${err.message}`);
    process.exit(1);
  },
);

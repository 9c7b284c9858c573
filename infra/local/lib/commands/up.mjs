// `up`: make every selected server answer, starting only what is not already answering.
import { host, logFile, shown } from '../config.mjs';
import { portOpen } from '../net.mjs';
import { forgetPid, isAlive, ownedPid, sleep, stopPid, tailLog } from '../process.mjs';

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

async function waitUntil(check, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(500);
  }
  return false;
}

/**
 * A server the stack runs must pass its own checks (Mosquitto: no anonymous clients); an external one the
 * user chose is used anyway, with a warning.
 */
async function checked(server, outcome, out) {
  const problems = (await server.verify?.()) ?? [];
  if (problems.length === 0) return outcome;
  if (outcome !== 'external') throw new Error(`${server.name} on ${server.address()} ${problems.join('; ')}`);
  for (const p of problems) out.problem(`${server.name}: WARNING: the server on ${server.address()} ${p}`);
  return outcome;
}

/** Resolves to 'external', 'already' or 'started'; rejects with a message that includes the log tail. */
async function ensureUp(server, out) {
  return checked(server, await answering(server, out), out);
}

async function answering(server, out) {
  const say = (msg) => out.info(`${server.name}: ${msg}`);
  const addr = server.address();
  let pid = ownedPid(server.name);
  const stale = pid === undefined ? undefined : await server.outdated?.();
  if (stale) {
    say(`restarting (pid ${pid}) because ${stale}`);
    await stopPid(pid, server.stopGraceMs);
    forgetPid(server.name);
    pid = undefined;
  }
  if (await server.probe()) {
    say(`already up (${addr}${pid ? '' : ', not started by the stack'})`);
    return pid ? 'already' : 'external';
  }
  let exit = { code: undefined };
  if (pid) {
    // An earlier `up` that was interrupted, or a server still recovering: wait for it rather than start a second.
    say(`started earlier (pid ${pid}) but not answering yet; waiting…`);
  } else {
    forgetPid(server.name);
    if (await portOpen(host, server.port())) {
      // Something foreign holds the port; it may be this very server still starting elsewhere.
      if (await waitUntil(server.probe, 15_000)) {
        say(`already up (${addr}, not started by the stack)`);
        return 'external';
      }
      throw new Error(
        `${server.name}: ${addr} is taken by a process that does not answer as ${server.name}; ` +
          `stop it or set ${server.portVar} to another port`,
      );
    }
    await server.prepare(say);
    ({ pid, exit } = server.start());
    say(`starting (pid ${pid})…`);
  }
  const started = Date.now();
  for (;;) {
    if (await server.probe()) {
      await server.warmUp?.();
      say(`up (${addr}) after ${seconds(Date.now() - started)}`);
      return 'started';
    }
    if (exit.code !== undefined || !isAlive(pid)) {
      forgetPid(server.name);
      throw new Error(
        `${server.name} exited (${exit.code ?? 'unknown status'}) before answering on ${addr}. ` +
          `Last lines of ${shown(logFile(server.name))}:\n${tailLog(server.name)}`,
      );
    }
    if (Date.now() - started > server.startTimeoutMs) {
      throw new Error(
        `${server.name} did not answer on ${addr} within ${seconds(server.startTimeoutMs)} ` +
          `(still running as pid ${pid}; \`npm run stack:down\` stops it). ` +
          `Last lines of ${shown(logFile(server.name))}:\n${tailLog(server.name)}`,
      );
    }
    await sleep(500);
  }
}

export async function up(servers, out) {
  // Counted from the CLI's start, so time spent waiting for another `up` shows too.
  const t0 = out.startedAt ?? Date.now();
  // In parallel: Cassandra's slow start overlaps Kafka's, and jar downloads queue themselves in maven.mjs.
  const results = await Promise.allSettled(servers.map((s) => ensureUp(s, out)));
  const failed = [];
  const counts = { started: 0, already: 0, external: 0 };
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') counts[r.value] += 1;
    else {
      failed.push(servers[i].name);
      out.problem(`\n${r.reason?.message ?? r.reason}\n`);
    }
  });
  const took = seconds(Date.now() - t0);
  if (failed.length > 0) {
    out.problem(`stack: FAILED to bring up ${failed.join(', ')} (${took})`);
    return 1;
  }
  const names = servers.map((s) => `${s.name} ${s.address()}`).join(', ');
  out.summary(
    `stack: up in ${took}: ${names} (started ${counts.started}, already running ${counts.already}, external ${counts.external})`,
  );
  return 0;
}

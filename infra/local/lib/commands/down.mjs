// `down`: stop the servers this stack started (by pid file) and leave everything else running.
import { forgetPid, ownedPid, stopPid } from '../process.mjs';

async function ensureDown(server, out) {
  const say = (msg) => out.info(`${server.name}: ${msg}`);
  const pid = ownedPid(server.name);
  if (pid === undefined) {
    forgetPid(server.name);
    if (await server.probe()) say(`not started by the stack, left running (${server.address()})`);
    else say('not running');
    return;
  }
  say(`stopping (pid ${pid})…`);
  const t0 = Date.now();
  const how = await stopPid(pid, server.stopGraceMs);
  forgetPid(server.name);
  const took = `${((Date.now() - t0) / 1000).toFixed(1)} s`;
  say(how === 'SIGTERM' ? `stopped (${took})` : `killed with SIGKILL after ${took}: it ignored SIGTERM`);
}

export async function down(servers, out) {
  await Promise.all(servers.map((s) => ensureDown(s, out)));
  return 0;
}

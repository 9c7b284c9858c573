// Detached server processes: spawning with logs to a file, pid files that survive pid reuse, stopping, log tails.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { logFile, pidFile } from './config.mjs';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The kernel's start time of a pid (clock ticks since boot); a recycled pid gets a different one.
function startTimeOf(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22, counted after the parenthesised command name, which may itself contain spaces.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

export function isAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return err.code === 'EPERM';
  }
  // A zombie still answers kill(0) but is already gone for our purposes.
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true;
  }
}

// Keep one previous generation so a restart does not erase the log of the run that failed.
const MAX_LOG_BYTES = 50 * 1024 * 1024;
function rotateLog(file) {
  try {
    if (fs.statSync(file).size > MAX_LOG_BYTES) fs.renameSync(file, `${file}.1`);
  } catch {
    // No log yet.
  }
}

/** Starts a server that outlives this CLI; its stdout and stderr append to .data/logs/<name>.log. */
export function spawnDetached(name, command, args, { cwd, env } = {}) {
  const log = logFile(name);
  fs.mkdirSync(path.dirname(log), { recursive: true });
  rotateLog(log);
  const fd = fs.openSync(log, 'a');
  fs.writeSync(fd, `\n==== ${new Date().toISOString()} stack: ${command} ${args.join(' ')}\n`);
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', fd, fd],
  });
  fs.closeSync(fd);
  // Remember an early exit so the wait loop can fail fast instead of polling a dead server until the timeout.
  const exit = { code: undefined };
  child.on('exit', (code, signal) => (exit.code = signal ?? code));
  child.on('error', (err) => (exit.code = err.message));
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command} (is it installed?)`);
  child.unref();
  writePid(name, child.pid, command);
  return { pid: child.pid, exit };
}

function writePid(name, pid, command) {
  const file = pidFile(name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ pid, startTime: startTimeOf(pid), command }) + '\n');
}

/** The pid of the server this stack started, if that very process is still running. */
export function ownedPid(name) {
  let record;
  try {
    record = JSON.parse(fs.readFileSync(pidFile(name), 'utf8'));
  } catch {
    return undefined;
  }
  if (!isAlive(record.pid) || startTimeOf(record.pid) !== record.startTime) return undefined;
  return record.pid;
}

export function forgetPid(name) {
  fs.rmSync(pidFile(name), { force: true });
}

/** SIGTERM, then SIGKILL after graceMs; resolves once the process is gone. */
export async function stopPid(pid, graceMs) {
  const signal = (sig) => {
    try {
      process.kill(pid, sig);
    } catch {
      // Already gone.
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(200);
  if (!isAlive(pid)) return 'SIGTERM';
  signal('SIGKILL');
  while (isAlive(pid)) await sleep(100);
  return 'SIGKILL';
}

export function tailLog(name, lines = 30) {
  try {
    const text = fs.readFileSync(logFile(name), 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Runs a command to completion and collects its output, for short tools such as mvn and apt-get. */
export function run(command, args, { cwd, env } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (err) => resolve({ code: -1, output: err.message }));
    child.on('close', (code) => resolve({ code, output }));
  });
}

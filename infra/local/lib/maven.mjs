// Server jars from Maven Central: each server's POM copies its runtime classpath into its own jars/<name> folder.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { jarsRoot, mavenRoot, shown } from './config.mjs';
import { run } from './process.mjs';

// Pinned: unpinned, Maven 3.8.7 resolves maven-dependency-plugin 2.8, whose copy-dependencies behaves differently.
const PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies';
const MARKER = '.complete';

export const jarsDir = (name) => path.join(jarsRoot, name);
const pomOf = (name) => path.join(mavenRoot, name, 'pom.xml');
const pomHash = (name) =>
  crypto
    .createHash('sha256')
    .update(fs.readFileSync(pomOf(name)))
    .digest('hex');

/** True when jars/<name> was filled completely from the current POM (a version bump invalidates it). */
export function jarsReady(name) {
  try {
    return fs.readFileSync(path.join(jarsDir(name), MARKER), 'utf8').trim() === pomHash(name);
  } catch {
    return false;
  }
}

// Two Maven processes writing the same ~/.m2 at once can corrupt downloads, so fetches run one after another.
let queue = Promise.resolve();

/** Fetches the jars unless already there; say() reports progress. */
export function ensureJars(name, label, say) {
  if (jarsReady(name)) return Promise.resolve();
  const job = queue.then(() => fetchJars(name, label, say));
  queue = job.catch(() => {});
  return job;
}

async function fetchJars(name, label, say) {
  if (jarsReady(name)) return;
  say(`fetching ${label} jars from Maven Central… (first time only; ~/.m2 caches them)`);
  const dir = jarsDir(name);
  // Start empty: jars left from an older version on the same classpath would clash.
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const { code, output } = await run('mvn', [
    '-B',
    '-q',
    '-f',
    pomOf(name),
    PLUGIN,
    '-DincludeScope=runtime',
    `-DoutputDirectory=${dir}`,
  ]);
  if (code !== 0) {
    const hint = code === -1 ? '\nMaven is missing: apt-get install -y maven' : '';
    throw new Error(
      `${name}: mvn copy-dependencies failed (exit ${code})${hint}\n${output.trim().split('\n').slice(-30).join('\n')}`,
    );
  }
  const count = fs.readdirSync(dir).filter((f) => f.endsWith('.jar')).length;
  fs.writeFileSync(path.join(dir, MARKER), pomHash(name) + '\n');
  say(`${count} ${label} jars in ${shown(dir)} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

/** Version of a jar named like prefix-1.2.3.jar in jars/<name>, or undefined. */
export function jarVersion(name, prefix) {
  try {
    const re = new RegExp(`^${prefix.replace(/[.]/g, '\\.')}-(\\d[^-]*)\\.jar$`);
    for (const file of fs.readdirSync(jarsDir(name))) {
      const m = re.exec(file);
      if (m) return m[1];
    }
  } catch {
    // No jars yet.
  }
  return undefined;
}

export function findJar(name, prefix) {
  const version = jarVersion(name, prefix);
  return version && path.join(jarsDir(name), `${prefix}-${version}.jar`);
}

// Finding Debian-packaged server binaries, installing the package with apt-get when one is missing.
import fs from 'node:fs';
import path from 'node:path';
import { run } from './process.mjs';

// Daemons live in sbin, which is not on every user's PATH.
const EXTRA = ['/usr/sbin', '/usr/local/sbin', '/sbin'];

export function which(binary) {
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), ...EXTRA];
  for (const dir of dirs) {
    const file = path.join(dir, binary);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/** Path of binary, installing packages first when it is missing; say() tells the user. */
export async function ensureBinary(binary, packages, say) {
  const found = which(binary);
  if (found) return found;
  say(`${binary} not found: installing ${packages.join(' ')} with apt-get…`);
  const install = () =>
    run('apt-get', ['install', '-y', '--no-install-recommends', ...packages], {
      env: { DEBIAN_FRONTEND: 'noninteractive' },
    });
  let result = await install();
  if (result.code !== 0) {
    // Usually a stale or empty package index on a fresh machine.
    await run('apt-get', ['update'], { env: { DEBIAN_FRONTEND: 'noninteractive' } });
    result = await install();
  }
  const installed = which(binary);
  if (result.code !== 0 || !installed) {
    throw new Error(
      `could not install ${packages.join(' ')} (apt-get exit ${result.code}); install it yourself ` +
        `(apt-get install -y ${packages.join(' ')}) or point the port variable at a running server\n` +
        result.output.trim().split('\n').slice(-15).join('\n'),
    );
  }
  say(`installed ${packages.join(' ')} (${installed})`);
  return installed;
}

// Disk usage of data directories, counted in allocated blocks like du: Kafka's sparse index files would mislead.
import fs from 'node:fs';
import path from 'node:path';

export function diskUsage(dir) {
  let st;
  try {
    st = fs.lstatSync(dir);
  } catch {
    return undefined;
  }
  let bytes = st.blocks * 512;
  if (st.isDirectory()) {
    for (const entry of fs.readdirSync(dir)) bytes += diskUsage(path.join(dir, entry)) ?? 0;
  }
  return bytes;
}

export function humanSize(bytes) {
  if (bytes === undefined) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value < 10 && unit > 0 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

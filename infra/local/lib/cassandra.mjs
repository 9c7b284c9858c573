// Apache Cassandra 5.0 as a single node on loopback, jars from Maven Central, settings tuned for tests.
import fs from 'node:fs';
import path from 'node:path';
import cassandra from 'cassandra-driver';
import { host, logsDir, ports, serverDataDir } from './config.mjs';
import { ensureJavaForCassandra } from './java.mjs';
import { ensureJars, findJar, jarsDir } from './maven.mjs';
import { portOpen, withTimeout } from './net.mjs';
import { spawnDetached } from './process.mjs';

const dir = serverDataDir('cassandra');
const yamlFile = path.join(dir, 'cassandra.yaml');
const logbackFile = path.join(dir, 'logback.xml');
const sub = (name) => path.join(dir, name);

// 5.0 rejects unknown keys, so only keys that exist in its Config class; everything else keeps its default.
function yaml() {
  return `cluster_name: lambda-iot
num_tokens: 1
initial_token: 0
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
endpoint_snitch: SimpleSnitch
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "${host}:${ports.cassandraStorage}"
listen_address: ${host}
rpc_address: ${host}
storage_port: ${ports.cassandraStorage}
native_transport_port: ${ports.cassandra}
start_native_transport: true
data_file_directories:
  - ${sub('data')}
commitlog_directory: ${sub('commitlog')}
saved_caches_directory: ${sub('saved_caches')}
hints_directory: ${sub('hints')}
cdc_raw_directory: ${sub('cdc_raw')}
commitlog_sync: periodic
commitlog_sync_period: 10000ms
commitlog_segment_size: 8MiB
auto_bootstrap: false
hinted_handoff_enabled: false
# Tests drop and truncate keyspaces constantly; snapshots would make each one slow and fill the disk.
auto_snapshot: false
snapshot_before_compaction: false
`;
}

// Console only: the CLI sends stdout to .data/logs/cassandra.log. Cassandra's stock config logs DEBUG to a file.
const LOGBACK = `<configuration scan="false">
  <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="STDOUT"/></root>
</configuration>
`;

// From Cassandra's conf/jvm17-server.options: the modules it reaches into on JDK 17.
const EXPORTS = [
  'java.base/jdk.internal.misc',
  'java.management.rmi/com.sun.jmx.remote.internal.rmi',
  'java.management/com.sun.jmx.remote.security',
  'java.rmi/sun.rmi.registry',
  'java.rmi/sun.rmi.server',
  'java.sql/java.sql',
  'java.base/java.lang.ref',
  'jdk.unsupported/sun.misc',
  'jdk.compiler/com.sun.tools.javac.file',
  'jdk.attach/sun.tools.attach',
];
const OPENS = [
  ...[
    'java.lang.module',
    'jdk.internal.loader',
    'jdk.internal.ref',
    'jdk.internal.reflect',
    'jdk.internal.math',
    'jdk.internal.module',
    'jdk.internal.util.jar',
    'sun.nio.ch',
    'java.io',
    'java.lang.reflect',
    'java.lang',
    'java.util',
    'java.nio',
  ].map((p) => `java.base/${p}`),
  'jdk.management/com.sun.management.internal',
  'jdk.compiler/com.sun.tools.javac',
];

// A single node needs no gossip settling or ring delay. unsafesystem skips fsyncs of the system tables,
// which are written on every schema change: CREATE TABLE drops from ~60 ms to ~12 ms here. (Measured and
// left out: cassandra.skip_sync shaves DROP KEYSPACE from ~175 to ~120 ms but gives up all fsyncs, and
// cassandra.test.flush_local_schema_changes=false changes nothing measurable.)
const FAST = [
  '-Dcassandra.skip_wait_for_gossip_to_settle=0',
  '-Dcassandra.ring_delay_ms=100',
  '-Dcassandra.load_ring_state=false',
  '-Dcassandra.initial_token=0',
  '-Dcassandra.unsafesystem=true',
];

async function prepare(say) {
  await ensureJavaForCassandra();
  await ensureJars('cassandra', 'Cassandra', say);
  for (const d of ['data', 'commitlog', 'saved_caches', 'hints', 'cdc_raw'])
    fs.mkdirSync(sub(d), { recursive: true });
  fs.writeFileSync(yamlFile, yaml());
  fs.writeFileSync(logbackFile, LOGBACK);
}

function start() {
  const jamm = findJar('cassandra', 'jamm');
  if (!jamm) throw new Error(`cassandra: no jamm jar in ${jarsDir('cassandra')}`);
  return spawnDetached(
    'cassandra',
    'java',
    [
      '-Xms1G',
      '-Xmx1G',
      '-Xss256k',
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=300',
      '-XX:StringTableSize=1000003',
      // Cassandra warns that carrying on after an OutOfMemoryError can corrupt data; dying is clearer.
      '-XX:+ExitOnOutOfMemoryError',
      '-Djava.net.preferIPv4Stack=true',
      '-Djava.awt.headless=true',
      '-Djdk.attach.allowAttachSelf=true',
      '-Dio.netty.tryReflectionSetAccessible=true',
      ...EXPORTS.map((m) => `--add-exports=${m}=ALL-UNNAMED`),
      ...OPENS.map((m) => `--add-opens=${m}=ALL-UNNAMED`),
      `-javaagent:${jamm}`,
      ...FAST,
      `-Dcassandra.config=file://${yamlFile}`,
      `-Dcassandra.storagedir=${dir}`,
      `-Dcassandra.logdir=${logsDir}`,
      `-Dlogback.configurationFile=${logbackFile}`,
      '-Dcassandra-foreground=yes',
      '-cp',
      path.join(jarsDir('cassandra'), '*'),
      'org.apache.cassandra.service.CassandraDaemon',
    ],
    { cwd: dir },
  );
}

/** release_version when the node answers CQL, else undefined. */
async function query() {
  if (!(await portOpen(host, ports.cassandra))) return undefined;
  const client = new cassandra.Client({
    contactPoints: [`${host}:${ports.cassandra}`],
    localDataCenter: 'datacenter1',
    // cassandra-driver 4.x speaks up to protocol v4; letting it try v5 first only adds a failed round trip.
    protocolOptions: { maxVersion: 4 },
    socketOptions: { connectTimeout: 2000, readTimeout: 4000 },
  });
  try {
    const rs = await withTimeout(
      client.execute('SELECT release_version FROM system.local'),
      6000,
      'cassandra',
    );
    return rs.first()?.release_version ?? '?';
  } catch {
    return undefined;
  } finally {
    await client.shutdown().catch(() => {});
  }
}

export default {
  name: 'cassandra',
  portVar: 'CASSANDRA_PORT',
  address: () => `${host}:${ports.cassandra}`,
  port: () => ports.cassandra,
  kind: 'jvm',
  startTimeoutMs: 180_000,
  stopGraceMs: 60_000,
  dataDirs: [dir],
  prepare,
  start,
  probe: async () => (await query()) !== undefined,
  version: async () => (await query()) ?? '?',
};

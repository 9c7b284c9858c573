// Apache Kafka 3.9 in KRaft mode: one JVM acting as broker and controller, jars from Maven Central.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { host, ports, serverDataDir, logsDir } from './config.mjs';
import { ensureJava } from './java.mjs';
import { ensureJars, jarsDir, jarVersion } from './maven.mjs';
import { portOpen, withTimeout } from './net.mjs';
import { run, spawnDetached } from './process.mjs';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
const { Kafka, logLevel } = (await import('kafkajs')).default;

const dir = serverDataDir('kafka');
const logDir = path.join(dir, 'data');
const propsFile = path.join(dir, 'server.properties');
const log4jFile = path.join(dir, 'log4j.properties');
const clusterIdFile = path.join(dir, 'cluster.id');
const classpath = () => path.join(jarsDir('kafka'), '*');

function properties() {
  const p = ports;
  return {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@${host}:${p.kafkaController}`,
    listeners: `PLAINTEXT://${host}:${p.kafka},CONTROLLER://${host}:${p.kafkaController}`,
    'advertised.listeners': `PLAINTEXT://${host}:${p.kafka}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': logDir,
    'num.partitions': 1,
    'auto.create.topics.enable': true,
    'delete.topic.enable': true,
    // A single broker cannot hold more than one replica; defaults of 3 leave the coordinators unavailable.
    'default.replication.factor': 1,
    'offsets.topic.replication.factor': 1,
    // One offsets partition loads in milliseconds, so a fresh broker serves consumer groups sooner.
    'offsets.topic.num.partitions': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 1,
    // Tests start one consumer at a time; the default 3 s delay would be added to every first join.
    'group.initial.rebalance.delay.ms': 0,
    // A dev box keeps data until `stack:reset`, not until a week has passed.
    'log.retention.hours': 24 * 365,
    'log.retention.bytes': -1,
  };
}

// Console only: the CLI already sends stdout to .data/logs/kafka.log and rotates it there.
const LOG4J = `log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.org.apache.kafka.clients=WARN
`;

// Kafka's own Uuid.randomUuid(): 16 random bytes, base64url without padding, never starting with '-'.
function newClusterId() {
  for (;;) {
    const id = crypto.randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

async function prepare(say) {
  await ensureJava();
  await ensureJars('kafka', 'Kafka', say);
  fs.mkdirSync(logDir, { recursive: true });
  fs.writeFileSync(
    propsFile,
    Object.entries(properties())
      .map(([k, v]) => `${k}=${v}`)
      .join('\n') + '\n',
  );
  fs.writeFileSync(log4jFile, LOG4J);
  if (fs.existsSync(path.join(logDir, 'meta.properties'))) return;
  if (!fs.existsSync(clusterIdFile)) fs.writeFileSync(clusterIdFile, newClusterId() + '\n');
  const clusterId = fs.readFileSync(clusterIdFile, 'utf8').trim();
  // -g: an already formatted directory is fine, so a half-finished earlier attempt does not block us.
  const { code, output } = await run('java', [
    `-Dlog4j.configuration=file:${log4jFile}`,
    '-cp',
    classpath(),
    'kafka.tools.StorageTool',
    'format',
    '-t',
    clusterId,
    '-c',
    propsFile,
    '-g',
  ]);
  if (code !== 0) throw new Error(`kafka: formatting ${logDir} failed (exit ${code})\n${output.trim()}`);
}

function start() {
  return spawnDetached(
    'kafka',
    'java',
    [
      '-Xms256m',
      '-Xmx768m',
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-XX:InitiatingHeapOccupancyPercent=35',
      '-XX:+ExplicitGCInvokesConcurrent',
      '-Djava.awt.headless=true',
      `-Dlog4j.configuration=file:${log4jFile}`,
      `-Dkafka.logs.dir=${logsDir}`,
      '-cp',
      classpath(),
      'kafka.Kafka',
      propsFile,
    ],
    { cwd: dir },
  );
}

function client() {
  return new Kafka({
    clientId: 'lambda-iot-stack',
    brokers: [`${host}:${ports.kafka}`],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    requestTimeout: 3000,
    retry: { retries: 0 },
  });
}

/** Answers only when the broker serves metadata, which is later than the port opening. */
async function probe() {
  if (!(await portOpen(host, ports.kafka))) return false;
  const admin = client().admin();
  try {
    await withTimeout(
      (async () => {
        await admin.connect();
        const { brokers } = await admin.describeCluster();
        if (brokers.length === 0) throw new Error('no brokers yet');
      })(),
      5000,
      'kafka',
    );
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

// A fresh broker creates __consumer_offsets on the first group lookup, and kafkajs logs "group coordinator
// not available" errors until it exists; asking once at startup means the first test's consumer joins cleanly.
async function warmUp() {
  const admin = new Kafka({
    clientId: 'lambda-iot-stack',
    brokers: [`${host}:${ports.kafka}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1000 },
  }).admin();
  try {
    await admin.connect();
    await admin.describeGroups(['lambda-iot-stack-warm-up']);
  } catch (err) {
    throw new Error(`kafka: answers, but its group coordinator did not come up: ${err.message}`);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

// The wire protocol has no version string; the jar we run is the best source (an external broker may differ).
async function version(owned) {
  const v = jarVersion('kafka', 'kafka_2.13');
  if (!v) return '?';
  return owned ? v : `? (jars: ${v})`;
}

export default {
  name: 'kafka',
  portVar: 'KAFKA_PORT',
  address: () => `${host}:${ports.kafka}`,
  port: () => ports.kafka,
  kind: 'jvm',
  startTimeoutMs: 90_000,
  stopGraceMs: 30_000,
  dataDirs: [dir],
  prepare,
  start,
  probe,
  warmUp,
  version,
};

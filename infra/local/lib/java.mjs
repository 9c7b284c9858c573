// The JDK both JVM servers need: Kafka 3.9 runs on 11 and later, Cassandra 5.0 only on 11 or 17.
import { run } from './process.mjs';

let checked;

/** Resolves to the java major version, or rejects with an install hint; checked once per CLI run. */
export function ensureJava() {
  checked ??= (async () => {
    const { code, output } = await run('java', ['-version']);
    const major = Number(/version "(?:1\.)?(\d+)/.exec(output)?.[1]);
    if (code !== 0 || !major) {
      throw new Error('java not found: install a JDK 17 (apt-get install -y openjdk-17-jdk-headless)');
    }
    if (major < 11) throw new Error(`java ${major} is too old: Kafka and Cassandra need JDK 17`);
    return major;
  })();
  return checked;
}

/** Cassandra 5.0 supports JDK 11 and 17 only; 24 and later removed the SecurityManager it installs. */
export async function ensureJavaForCassandra() {
  const major = await ensureJava();
  if (major !== 11 && major !== 17) {
    throw new Error(
      `cassandra: Cassandra 5.0 runs on JDK 11 or 17, but \`java\` is ${major}; put a JDK 17 first on PATH`,
    );
  }
}

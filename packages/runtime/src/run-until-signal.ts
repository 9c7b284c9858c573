// Runs an app's parts until SIGINT/SIGTERM, then closes them in reverse start order, exactly once.
import type { Lifecycle } from './lifecycle';
import type { Logger } from './logger';

export interface RunOptions {
  logger: Logger;
  /** Upper bound on a graceful close before the process exits anyway. */
  closeTimeoutMs?: number;
  /** Injected for tests; defaults to the real process. */
  processLike?: Pick<NodeJS.Process, 'once' | 'exit'>;
}

/**
 * Starts each part in order (a part may depend on the ones before it), and on a signal closes them last-first,
 * so intake stops before the stores it writes to go away. Resolves once everything has started.
 */
export async function runUntilSignal(parts: readonly Lifecycle[], options: RunOptions): Promise<void> {
  const proc = options.processLike ?? process;
  const { logger } = options;
  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ closeTimeoutMs: options.closeTimeoutMs }, 'graceful close timed out; exiting');
      proc.exit(1);
    }, options.closeTimeoutMs ?? 30_000);
    timer.unref();
    closeAll(parts, logger).then(
      () => {
        logger.info('stopped cleanly');
        logger.flush?.();
        proc.exit(0);
      },
      () => proc.exit(1),
    );
  };
  proc.once('SIGINT', () => shutdown('SIGINT'));
  proc.once('SIGTERM', () => shutdown('SIGTERM'));
  try {
    for (const part of parts) await part.start();
  } catch (err) {
    logger.error({ err }, 'failed to start');
    await closeAll(parts, logger);
    throw err;
  }
}

export async function closeAll(parts: readonly Lifecycle[], logger: Logger): Promise<void> {
  let failed: unknown;
  for (const part of [...parts].reverse()) {
    try {
      await part.close();
    } catch (err) {
      failed ??= err;
      logger.error({ err }, 'close failed');
    }
  }
  if (failed !== undefined) throw failed;
}

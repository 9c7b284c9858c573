// Structured JSON logging for every process: one pino logger per app, children per component.
import pino from 'pino';

export type Logger = pino.Logger;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  /** The app or component name, logged as `app` on every line. */
  name: string;
  level?: LogLevel;
  /** Where lines go; stdout by default. Tests pass a stream to assert on what was logged. */
  destination?: pino.DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      base: { app: options.name, pid: process.pid },
      level: options.level ?? 'info',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.errWithCause },
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}

/** A logger that writes nothing: the default for libraries whose caller injected none. */
export const silentLogger: Logger = pino({ level: 'silent' });

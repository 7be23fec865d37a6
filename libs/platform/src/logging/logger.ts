import pino, { type Logger } from 'pino';

export type PlatformLogger = Logger;

/** JSON logs on stdout; errors go under `err`, each service names itself in `service`. */
export function createLogger(options: { service: string; level: string; destination?: pino.DestinationStream }): PlatformLogger {
  return pino(
    {
      level: options.level,
      base: { service: options.service, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: ['secret', '*.secret', 'accessKeySecret', '*.accessKeySecret', 'headers.authorization'], censor: '[redacted]' },
    },
    options.destination,
  );
}

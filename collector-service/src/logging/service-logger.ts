import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { ConfigError } from '../config/config';

/** Log levels as people name them, each with the Nest levels it prints. */
const LEVELS: Record<string, LogLevel[]> = {
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
};

export interface LogSettings {
  format: 'text' | 'json';
  level: keyof typeof LEVELS;
  /** Colour codes only for a person at a terminal: never in a file, a pipe or a log collector. */
  colors: boolean;
}

/** TOKENLEDGER_LOG_FORMAT (text | json) and TOKENLEDGER_LOG_LEVEL (error | warn | info | debug). */
export function loadLogSettings(env: NodeJS.ProcessEnv = process.env, terminal = Boolean(process.stdout.isTTY && process.stderr.isTTY)): LogSettings {
  const format = env.TOKENLEDGER_LOG_FORMAT || 'text';
  if (format !== 'text' && format !== 'json') throw new ConfigError('TOKENLEDGER_LOG_FORMAT', `must be "text" or "json", got "${format}"`);
  const level = env.TOKENLEDGER_LOG_LEVEL || 'info';
  if (!(level in LEVELS)) throw new ConfigError('TOKENLEDGER_LOG_LEVEL', `must be one of ${Object.keys(LEVELS).join(', ')}, got "${level}"`);
  return { format, level, colors: format === 'text' && terminal && !env.NO_COLOR };
}

/**
 * What Nest says while it builds the app: a line per module and per route (about 90), and "successfully
 * started" before the port is even known to be free. Useful when debugging, noise otherwise.
 */
const BOOT_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']);
/** Nest's report of an error while building the app, with its stack: the start-up line says it in one line instead. */
const BOOT_FAILURE_CONTEXT = 'ExceptionHandler';

/** The service's logger: Nest's console logger, with Nest's boot chatter moved to debug. */
export class ServiceLogger extends ConsoleLogger {
  constructor(settings: LogSettings) {
    super({ prefix: 'tokenledger', json: settings.format === 'json', colors: settings.colors, logLevels: LEVELS[settings.level] });
  }

  override log(message: unknown, ...optionalParams: unknown[]): void {
    if (BOOT_CONTEXTS.has(String(optionalParams.at(-1)))) super.debug(message, ...optionalParams);
    else super.log(message, ...optionalParams);
  }

  override error(message: unknown, ...optionalParams: unknown[]): void {
    if (optionalParams.at(-1) === BOOT_FAILURE_CONTEXT) {
      super.debug(message instanceof Error ? (message.stack ?? message.message) : message, BOOT_FAILURE_CONTEXT);
      return;
    }
    super.error(message, ...optionalParams);
  }
}

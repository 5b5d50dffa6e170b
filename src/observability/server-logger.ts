/**
 * Structured logs of `conclave serve` and `conclave worker`: JSON lines (pino) with a level, a time,
 * and the request id, workspace and session id where there is one — one line per HTTP request and
 * one per session milestone (created, running, idle with its stop reason, terminated, errors, failed
 * model attempts). Pretty, coloured lines when the output is a terminal (pino-pretty, loaded only
 * then). Log lines carry ids, codes and counts, never prompts, answers or secrets.
 */
import { pino, type Logger, type LevelWithSilent } from 'pino';
import type { CommandFailedData, SessionEvent } from '../protocol/index.js';
import { ConclaveError } from '../protocol/errors.js';

/** Levels accepted by `--log-level` / `CONCLAVE_LOG_LEVEL`. */
export const logLevels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** `auto`: pretty in a terminal, JSON lines otherwise. */
export const logFormats = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof logFormats)[number];

export interface ServerLoggerOptions {
  /** Default `info` (or `CONCLAVE_LOG_LEVEL`). */
  level?: string;
  /** Default `auto` (or `CONCLAVE_LOG_FORMAT`). */
  format?: string;
  /** Where lines go; default standard output. Tests pass a stream to read them back. */
  destination?: NodeJS.WritableStream & { isTTY?: boolean };
  /** The process's role, on every line: `serve` or `worker`. */
  role: string;
}

function checkedLevel(level: string): LevelWithSilent {
  if ((logLevels as readonly string[]).includes(level)) return level as LevelWithSilent;
  throw new ConclaveError('invalid_argument', `unknown log level "${level}"`, { hint: `use one of: ${logLevels.join(', ')} (--log-level or CONCLAVE_LOG_LEVEL)` });
}

function checkedFormat(format: string): LogFormat {
  if ((logFormats as readonly string[]).includes(format)) return format as LogFormat;
  throw new ConclaveError('invalid_argument', `unknown log format "${format}"`, { hint: `use one of: ${logFormats.join(', ')} (--log-format or CONCLAVE_LOG_FORMAT)` });
}

/**
 * Creates the process's logger. Throws `invalid_argument` for an unknown level or format.
 *
 * @example
 * const logger = await createServerLogger({ role: 'serve', level: 'info' });
 * logger.info({ requestId, status: 200 }, 'request');
 */
export async function createServerLogger(options: ServerLoggerOptions): Promise<Logger> {
  const level = checkedLevel(options.level ?? (process.env['CONCLAVE_LOG_LEVEL']?.trim() || 'info'));
  const format = checkedFormat(options.format ?? (process.env['CONCLAVE_LOG_FORMAT']?.trim() || 'auto'));
  const destination = options.destination ?? process.stdout;
  const pretty = format === 'pretty' || (format === 'auto' && destination.isTTY === true);
  const settings = { level, base: { role: options.role, pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime };
  if (!pretty) return remember(pino(settings, destination), 'json');
  const { default: prettyStream } = await import('pino-pretty');
  return remember(pino(settings, prettyStream({ destination, sync: true, colorize: destination.isTTY === true, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss.l' })), 'pretty');
}

const formats = new WeakMap<Logger, 'json' | 'pretty'>();

function remember(logger: Logger, format: 'json' | 'pretty'): Logger {
  formats.set(logger, format);
  return logger;
}

/**
 * Whether a logger made by `createServerLogger` writes JSON lines or pretty ones.
 *
 * @example
 * if (logFormatOf(logger) === 'json') logger.info({ sessionId }, 'finished');
 */
export function logFormatOf(logger: Logger): 'json' | 'pretty' {
  return formats.get(logger) ?? 'json';
}

/**
 * Logs the session milestones among `events` (just stored).
 *
 * @example
 * const store = withEventObserver(store, (events) => logSessionEvents(logger, events));
 */
export function logSessionEvents(logger: Logger, events: readonly SessionEvent[]): void {
  for (const event of events) {
    const sessionId = event.sessionId;
    switch (event.type) {
      case 'session.created':
        logger.info({ sessionId, topology: event.data['topology'], workspace: event.data['workspace'] }, 'session created');
        break;
      case 'session.status_running':
        logger.info({ sessionId }, 'session running');
        break;
      case 'session.status_idle':
        logger.info({ sessionId, stopReason: event.data['stopReason'] }, 'session idle');
        break;
      case 'session.status_terminated':
        logger.info({ sessionId }, 'session terminated');
        break;
      case 'session.error': {
        const error = event.data['error'] as { code?: unknown; message?: unknown } | undefined;
        logger.error({ sessionId, code: error?.code, error: error?.message }, 'session error');
        break;
      }
      case 'command.failed': {
        const data = event.data as CommandFailedData;
        logger.warn(
          { sessionId, commandId: data.commandId, model: data.model, attempt: data.attempt, code: data.error.code, willRetry: data.willRetry, ...(data.fallbackTo !== undefined ? { fallbackTo: data.fallbackTo } : {}) },
          data.kind === 'tool.execute' ? 'tool call failed' : 'model call failed',
        );
        break;
      }
      default:
        if (event.type.startsWith('budget.exceeded')) logger.warn({ sessionId, ...event.data }, 'budget reached');
    }
  }
}

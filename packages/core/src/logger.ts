/** Log levels, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** The small logger every Troupe component writes through. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

/**
 * A logger writing one line per entry to stderr, at `level` and above
 * (default: `TROUPE_LOG` or `warn`).
 */
export function createLogger(options: { level?: LogLevel; name?: string } = {}): Logger {
  const level = options.level ?? (process.env.TROUPE_LOG as LogLevel | undefined) ?? 'warn';
  const min = rank[level] ?? rank.warn;
  const prefix = options.name ? `[${options.name}] ` : '';
  const write = (lvl: Exclude<LogLevel, 'silent'>) => (message: string, fields?: Record<string, unknown>) => {
    if (rank[lvl] < min) return;
    const extra = fields ? ` ${safeJson(fields)}` : '';
    process.stderr.write(`${new Date().toISOString()} ${lvl.toUpperCase()} ${prefix}${message}${extra}\n`);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v) => (v instanceof Error ? { name: v.name, message: v.message } : v));
  } catch {
    return '[unserializable]';
  }
}

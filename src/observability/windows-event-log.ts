import { execFile } from 'node:child_process';
import { Writable } from 'node:stream';

/**
 * Errors to the Windows Application event log, where a Windows administrator looks first (Event Viewer, and the
 * monitoring agents that watch it). The service's log files keep every line; this sink adds only `error` and
 * `fatal` lines, already redacted by pino (it receives the serialized line, after `redact`).
 *
 * `eventcreate.exe` (in every Windows Server since 2003) writes the entry: no native module, nothing to install.
 * It registers the `Sellbridge` source under Application the first time, which needs administrator rights; the
 * service runs as LocalSystem (or an account an administrator chose), so it has them. A storm of errors must not
 * become a storm of processes: at most `maxPerMinute` entries a minute, then one entry saying how many were left
 * out (they are in the log files).
 */
export interface WindowsEventLogOptions {
  /** The event source name (default `Sellbridge`). */
  readonly source?: string;
  /** Entries per rolling minute before further errors are counted instead (default 20). */
  readonly maxPerMinute?: number;
  /** Runs `eventcreate` (tests pass a recorder). Default: execFile, errors reported once to stderr. */
  readonly run?: (file: string, args: readonly string[]) => void;
  readonly now?: () => number;
}

/** eventcreate accepts IDs 1..1000 only; one ID per kind keeps Event Viewer filters simple. */
export const EVENT_ID = { error: 1000, fatal: 999, suppressed: 998 } as const;
/** eventcreate refuses long descriptions; the log file has the whole line. */
const MAX_DESCRIPTION = 1000;

interface PinoLine {
  readonly level?: string | number;
  readonly time?: string;
  readonly msg?: string;
  readonly code?: string;
  readonly err?: { readonly message?: string; readonly code?: string; readonly type?: string };
  readonly [key: string]: unknown;
}

const isFatal = (level: PinoLine['level']) => level === 'fatal' || level === 60;
const isErrorOrWorse = (level: PinoLine['level']) =>
  level === 'error' || level === 'fatal' || (typeof level === 'number' && level >= 50);

/** The event's text: what happened and its code, then the time and the fields that locate it. */
export function eventDescription(line: PinoLine): string {
  const code = line.code ?? line.err?.code;
  const parts = [
    line.msg ?? line.err?.message ?? 'error',
    code ? `(${code})` : '',
    line.err?.message && line.err.message !== line.msg ? `: ${line.err.message}` : '',
  ];
  const where = ['time', 'job', 'queue', 'amazonOrderId', 'tranNo', 'connectionId']
    .filter((k) => typeof line[k] === 'string' || typeof line[k] === 'number')
    .map((k) => `${k}=${String(line[k])}`)
    .join(' ');
  const text = `${parts.join(' ').replace(/\s+/g, ' ').trim()}${where ? `\n${where}` : ''}`;
  return text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION - 1)}…` : text;
}

export function eventCreateArgs(source: string, type: 'ERROR' | 'WARNING', id: number, description: string): string[] {
  return ['/L', 'APPLICATION', '/T', type, '/SO', source, '/ID', String(id), '/D', description];
}

/** A pino destination: one JSON line per write. */
export function createWindowsEventLogStream(options: WindowsEventLogOptions = {}): Writable {
  const source = options.source ?? 'Sellbridge';
  const maxPerMinute = options.maxPerMinute ?? 20;
  const now = options.now ?? Date.now;
  let reportedFailure = false;
  const run =
    options.run ??
    ((file: string, args: readonly string[]) => {
      execFile(file, [...args], { windowsHide: true, timeout: 10_000 }, (error) => {
        if (error && !reportedFailure) {
          reportedFailure = true;
          process.stderr.write(`sellbridge: could not write to the Windows event log (${error.message})\n`);
        }
      });
    });
  const sent: number[] = [];
  let suppressed = 0;

  const emit = (type: 'ERROR' | 'WARNING', id: number, description: string) =>
    run('eventcreate', eventCreateArgs(source, type, id, description));

  return new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, done) {
      for (const raw of String(chunk).split('\n')) {
        if (!raw.trim()) continue;
        let line: PinoLine;
        try {
          line = JSON.parse(raw) as PinoLine;
        } catch {
          continue; // not a JSON line (pretty format): the log file has it
        }
        if (!isErrorOrWorse(line.level)) continue;
        const t = now();
        while (sent.length && sent[0]! <= t - 60_000) sent.shift();
        if (sent.length >= maxPerMinute) {
          suppressed += 1;
          continue;
        }
        if (suppressed > 0) {
          // Counts as one of this minute's entries, so the cap holds.
          emit(
            'WARNING',
            EVENT_ID.suppressed,
            `${suppressed} more Sellbridge error(s) in the last minute were not written here; see the service log files`,
          );
          sent.push(t);
          suppressed = 0;
          if (sent.length >= maxPerMinute) {
            suppressed += 1;
            continue;
          }
        }
        emit('ERROR', isFatal(line.level) ? EVENT_ID.fatal : EVENT_ID.error, eventDescription(line));
        sent.push(t);
      }
      done();
    },
  });
}

import { DynasimError, isInputOrLimitError } from '../../sim/errors.js';
import { VERSION } from '../version.js';

/** The CLI's only window on the process: injected so the entry function can be tested in-process. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal (progress bars only then). */
  readonly stderrIsTty: boolean;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  stderrIsTty: Boolean(process.stderr.isTTY),
};

/** Exit codes (DESIGN.md): 0 ok, 1 a check or SLA failed, 2 bad input or usage, 3 a bug in dynasim. */
export const EXIT_OK = 0;
export const EXIT_CHECK_FAILED = 1;
export const EXIT_BAD_INPUT = 2;
export const EXIT_BUG = 3;
/** An interrupted sweep (128 + SIGINT, as shells report it). */
export const EXIT_INTERRUPTED = 130;

/**
 * A run threw: print why and how to reproduce it, and return the exit code
 * (2 for bad input or a limit reached, 3 for a bug in dynasim).
 */
export function reportRunError(e: unknown, reproduce: string, io: CliIo): number {
  if (isInputOrLimitError(e)) {
    io.err(`dynasim: ${e.message}`);
    io.err(`reproduce: ${reproduce}`);
    return EXIT_BAD_INPUT;
  }
  const err = e as Error;
  io.err(`dynasim: internal error (a bug in dynasim ${VERSION}; please report it with the command below): ${err instanceof DynasimError ? err.message : (err?.stack ?? String(e))}`);
  io.err(`reproduce: ${reproduce}`);
  return EXIT_BUG;
}

/** A word for a POSIX shell: as it is when it is safe, else in single quotes (for reproduce commands). */
export function quote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Checks `--max-events` (an integer >= 1 when given); false after saying why on stderr. */
export function maxEventsValid(maxEvents: number | undefined, io: CliIo): boolean {
  if (maxEvents === undefined || (Number.isSafeInteger(maxEvents) && maxEvents >= 1)) return true;
  io.err(`dynasim: --max-events ${maxEvents}: expected an integer >= 1 (the most events one run may simulate)`);
  return false;
}

/** `--max-events N` as command-line words for a reproduce or continue command (none when not given). */
export function maxEventsFlags(maxEvents: number | undefined): string[] {
  return maxEvents === undefined ? [] : ['--max-events', String(maxEvents)];
}

/**
 * Atomic file writes: a temporary file beside the target, written and
 * flushed, then renamed into place, so a reader never sees half a file and a
 * crash leaves at most a temporary file (named with TEMP_PREFIX, which
 * .gitignore ignores and sweep folders' cleaners remove).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';

/** Temporary files are named so (a crash can leave one; readers skip and cleaners remove them). */
export const TEMP_PREFIX = '.dynasim-tmp-';

let tempSequence = 0;

/** A temporary name beside dir/name that no other writer (process or thread) uses. */
export function tempPath(dir: string, name: string): string {
  return join(dir, `${TEMP_PREFIX}${process.pid}-${threadId}-${tempSequence++}-${name}`);
}

/** Write and flush a new file (it must not exist: two writers never share a temporary name). */
export function writeDurably(path: string, text: string): void {
  const fd = openSync(path, 'wx');
  try {
    const bytes = Buffer.from(text, 'utf8');
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Write `text` to dir/name atomically: a temporary file beside it, written durably, then renamed; no half-written file. */
export function writeFileAtomic(dir: string, name: string, text: string): string {
  mkdirSync(dir, { recursive: true });
  const target = join(dir, name);
  const temp = tempPath(dir, name);
  try {
    writeDurably(temp, text);
    renameSync(temp, target);
  } finally {
    rmSync(temp, { force: true });
  }
  return target;
}

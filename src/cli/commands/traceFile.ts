/** `dynasim run --trace FILE`: open the trace writer before the run, close it after. */
import path from 'node:path';
import type { Summary } from '../../report/summary.js';
import type { ResolvedScenario } from '../../scenario/index.js';
import { TraceFileWriter } from '../../trace/writer.js';
import { VERSION } from '../../version.js';
import type { CliIo } from '../io.js';

/** The writer, or false when the file cannot be created (the message is printed). */
export function openTrace(file: string, header: { seed: string; command: string; scenario: ResolvedScenario }, io: CliIo): TraceFileWriter | false {
  try {
    return new TraceFileWriter(file, { version: VERSION, ...header });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? `no such directory: ${path.dirname(file)}` : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
    io.err(`dynasim: cannot write the trace to ${file}: ${why}`);
    return false;
  }
}

/** Finish the file; false when that fails (the message is printed). */
export function closeTrace(trace: TraceFileWriter, summary: Summary, say: (text: string) => void, io: CliIo): boolean {
  try {
    trace.close({ digest: summary.digest, simulatedUs: summary.simulatedUs });
  } catch (e) {
    trace.abort();
    io.err(`dynasim: cannot write the trace to ${trace.path}: ${(e as Error).message}`);
    return false;
  }
  const mib = trace.bytesWritten / 2 ** 20;
  say(`trace: ${trace.path} (${trace.events.toLocaleString('en-US')} events, ${mib >= 10 ? mib.toFixed(0) : mib.toFixed(1)} MiB${trace.gzip ? ' gzip' : ''}); replay it with: dynasim replay ${trace.path}`);
  return true;
}

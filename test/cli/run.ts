/** Run the CLI in this process (`main` with a captured io), for tests: exit code and the joined output. */
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';

export async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (s) => void out.push(s), err: (s) => void err.push(s), stderrIsTty: false };
  const code = await main(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** The dynasim version: recorded in every summary and trace (a different version may simulate differently). */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function readVersion(): string {
  for (const path of ['../package.json', '../../package.json']) {
    try {
      const pkg = require(path) as { name?: string; version?: string };
      if (pkg.name === 'dynasim' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // try the next layout (sources under tsx, or compiled under dist/)
    }
  }
  return '0.0.0-unknown';
}

export const VERSION: string = readVersion();

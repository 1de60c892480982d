/**
 * Where things are: the package root (for shipped scenarios), a scenario
 * argument that is either a path or the name of a shipped scenario.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { isSweepText, SWEEP_LIMITS } from '../experiment/sweep.js';
import { closest } from '../scenario/errors.js';

export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'dynasim') return dir;
      } catch {
        // keep looking
      }
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error('dynasim: cannot find the package root (package.json)');
    dir = up;
  }
}

export function scenariosDir(): string {
  return path.join(packageRoot(), 'scenarios');
}

export interface ShippedScenario {
  readonly name: string;
  readonly file: string;
  readonly description: string;
  /** A scenario (dynasim run) or a sweep (dynasim sweep): sweeps say `kind: sweep`. */
  readonly kind: 'scenario' | 'sweep';
}

export function shippedScenarios(): ShippedScenario[] {
  const dir = scenariosDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') && !f.startsWith('_'))
    .sort()
    .map((f) => {
      const file = path.join(dir, f);
      let description = '';
      let kind: ShippedScenario['kind'] = 'scenario';
      try {
        const text = readFileSync(file, 'utf8');
        const doc = parse(text) as { description?: string } | null;
        description = typeof doc?.description === 'string' ? doc.description : '';
        if (isSweepText(text)) kind = 'sweep';
      } catch {
        description = '(unreadable)';
      }
      return { name: f.replace(/\.yaml$/, ''), file, description, kind };
    });
}

/**
 * A scenario (or sweep) argument: an existing path wins; otherwise the name
 * of a shipped file. `kind` words the error and is suggested first (a shipped
 * file of the other kind is still found, and suggested when none of this kind
 * is close: the command says what it is).
 */
export function resolveScenarioArg(arg: string, kind: ShippedScenario['kind'] = 'scenario'): { file: string } | { error: string } {
  if (existsSync(arg)) return { file: arg };
  const shipped = shippedScenarios();
  const byName = findShipped(shipped, arg);
  if (byName) return { file: byName.file };
  const looksLikePath = arg.includes('/') || arg.includes('\\') || /\.(ya?ml|json)$/.test(arg);
  if (looksLikePath) return { file: arg }; // let the loader say "no such file" with the path
  const suggestion = closest(arg, shipped.filter((s) => s.kind === kind).map((s) => s.name)) ?? closest(arg, shipped.map((s) => s.name));
  return {
    error: `no ${kind} file or shipped ${kind} named "${arg}"${suggestion ? `: did you mean "${suggestion}"?` : ''} (see "dynasim list")`,
  };
}

/** A shipped scenario or sweep by name, with or without ".yaml". */
export function findShipped(shipped: readonly ShippedScenario[], name: string): ShippedScenario | undefined {
  return shipped.find((s) => s.name === name || `${s.name}.yaml` === name);
}

export function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Whether a file is a sweep (`kind: sweep`) rather than a scenario; false when it cannot be read. */
export function isSweepFile(file: string): boolean {
  try {
    const st = statSync(file);
    if (!st.isFile() || st.size > SWEEP_LIMITS.fileBytes) return false;
    return isSweepText(readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
}

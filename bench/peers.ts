/**
 * Finding, building and running the external peers of the benchmarks:
 *
 *  - SimPy 2 (Debian's python3-simpy, the classic `SimPy.Simulation` API),
 *    run under /usr/bin/python3 (the distribution's interpreter, where the
 *    Debian package is importable; the `python3` first on PATH may be another
 *    one, e.g. pyenv's). Override with DYNASIM_SIMPY_PYTHON.
 *  - ns-3 (Debian's libns3-dev): bench/peers/*.cc are compiled at run time into
 *    bench/peers/build/ (git-ignored) with
 *      g++ -O2 -std=c++17 -o <out> <src> [-I<inc>] [-L<dir> -Wl,-rpath,<dir>] -l<ns3 core lib>
 *    The header root and the exact core library name are found on disk, not
 *    with pkg-config (Debian's ns3-core.pc lists libraries that may be absent).
 *    Overrides: NS3_INCLUDE_DIR (the directory holding ns3/core-module.h),
 *    NS3_LIB_DIR, CXX.
 *
 * A missing peer is reported as `{ ok: false, reason, install }` so the bench
 * can print how to install it and go on with the other engines.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const INSTALL_HINT = 'apt-get update && apt-get install -y python3-simpy libns3-dev';

export interface Missing {
  ok: false;
  reason: string;
  install: string;
}

export interface ExecResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  error?: string;
}

/** Run a program (no shell), collecting its output; never throws. */
export function run(cmd: string, args: string[], options: { timeoutMs?: number; cwd?: string } = {}): Promise<ExecResult> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { cwd: options.cwd, timeout: options.timeoutMs ?? 0, maxBuffer: 64 * 2 ** 20, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { code?: unknown; killed?: boolean; signal?: string }) | null;
        resolve({
          code: e === null ? 0 : typeof e.code === 'number' ? e.code : null,
          signal: e?.signal ?? null,
          stdout: String(stdout),
          stderr: String(stderr),
          ...(e !== null ? { error: e.killed ? `killed (timeout ${options.timeoutMs} ms)` : e.message } : {}),
        });
      },
    );
  });
}

/** Quote a command line for display (copy-pastable into a POSIX shell). */
export function commandLine(cmd: string, args: string[]): string {
  const q = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  return [cmd, ...args].map(q).join(' ');
}

/** Run a peer that prints one JSON object (its last non-empty stdout line). */
export async function runJsonPeer(cmd: string, args: string[], timeoutMs: number, cwd?: string): Promise<Record<string, unknown>> {
  const r = await run(cmd, args, { timeoutMs, ...(cwd !== undefined ? { cwd } : {}) });
  if (r.code !== 0) {
    throw new Error(`${commandLine(cmd, args)} failed: ${r.error ?? `exit ${r.code}`}\n${r.stderr.trim()}`);
  }
  const last = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as Record<string, unknown>;
  } catch {
    throw new Error(`${commandLine(cmd, args)}: output is not JSON: ${last.slice(0, 200)}`);
  }
}

// ---------------------------------------------------------------- SimPy

export interface SimpyPeer {
  ok: true;
  python: string;
  version: string;
}

export async function findSimpy(): Promise<SimpyPeer | Missing> {
  const python = process.env.DYNASIM_SIMPY_PYTHON ?? '/usr/bin/python3';
  if (!fs.existsSync(python)) {
    return { ok: false, reason: `${python} not found`, install: INSTALL_HINT };
  }
  const r = await run(python, ['-c', 'import SimPy, SimPy.Simulation; print(SimPy.__version__)'], { timeoutMs: 30_000 });
  if (r.code !== 0) {
    return { ok: false, reason: `SimPy is not importable by ${python} (python3-simpy not installed?)`, install: INSTALL_HINT };
  }
  const version = r.stdout.trim();
  if (!version.startsWith('2.')) {
    return {
      ok: false,
      reason: `${python} has SimPy ${version}; the peer uses SimPy 2's classic API (SimPy.Simulation)`,
      install: INSTALL_HINT,
    };
  }
  return { ok: true, python, version };
}

// ---------------------------------------------------------------- ns-3

export interface Ns3Toolchain {
  ok: true;
  cxx: string;
  cxxVersion: string;
  /** Directory holding ns3/core-module.h; null when it is a default include dir. */
  includeRoot: string | null;
  libDir: string;
  /** For -l: "ns3-core" (Debian) or e.g. "ns3.40-core-default" (upstream installs). */
  libName: string;
  /** Library directory is not searched by default: add -L and an rpath. */
  libDirNonStandard: boolean;
}

const DEFAULT_INCLUDE_ROOTS = ['/usr/include', '/usr/local/include'];
const DEFAULT_LIB_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib'];

function findNs3IncludeRoot(): string | null | undefined {
  const candidates: string[] = [];
  if (process.env.NS3_INCLUDE_DIR) candidates.push(process.env.NS3_INCLUDE_DIR);
  for (const base of DEFAULT_INCLUDE_ROOTS) {
    candidates.push(base);
    // upstream installs: /usr/local/include/ns3.40/ns3/core-module.h
    let entries: string[] = [];
    try {
      entries = fs.readdirSync(base).filter((e) => /^ns3[.-]?\d/.test(e));
    } catch {
      /* no such dir */
    }
    entries.sort().reverse(); // newest version first
    for (const e of entries) candidates.push(path.join(base, e));
  }
  for (const dir of candidates) {
    if (fs.existsSync(path.join(dir, 'ns3', 'core-module.h'))) {
      return dir === '/usr/include' ? null : dir; // never pass -I/usr/include (breaks #include_next)
    }
  }
  return undefined;
}

function findNs3CoreLib(): { libDir: string; libName: string; nonStandard: boolean } | undefined {
  const dirs: Array<[string, boolean]> = [];
  if (process.env.NS3_LIB_DIR) dirs.push([process.env.NS3_LIB_DIR, true]);
  for (const d of DEFAULT_LIB_DIRS) dirs.push([d, false]);
  dirs.push(['/usr/local/lib', true]);
  for (const [dir, nonStandard] of dirs) {
    let entries: string[];
    try {
      entries = fs.readdirSync(dir);
    } catch {
      continue;
    }
    // The unversioned .so (the -dev symlink) is what the linker needs for -l.
    const libs = entries.filter((e) => /^libns3.*-core(-[a-z]+)?\.so$/.test(e)).sort();
    const lib = libs.find((e) => e === 'libns3-core.so') ?? libs[libs.length - 1];
    if (lib !== undefined) return { libDir: dir, libName: lib.slice(3, -3), nonStandard };
  }
  return undefined;
}

export async function findNs3(): Promise<Ns3Toolchain | Missing> {
  const includeRoot = findNs3IncludeRoot();
  const lib = findNs3CoreLib();
  if (includeRoot === undefined || lib === undefined) {
    const what = includeRoot === undefined ? 'headers (ns3/core-module.h)' : 'core library (libns3*-core*.so)';
    return { ok: false, reason: `ns-3 ${what} not found (libns3-dev not installed?)`, install: INSTALL_HINT };
  }
  const cxx = process.env.CXX ?? 'g++';
  const v = await run(cxx, ['--version'], { timeoutMs: 30_000 });
  if (v.code !== 0) {
    return { ok: false, reason: `C++ compiler ${cxx} not found`, install: 'apt-get update && apt-get install -y g++ libns3-dev' };
  }
  return {
    ok: true,
    cxx,
    cxxVersion: v.stdout.split('\n')[0]!.trim(),
    includeRoot,
    libDir: lib.libDir,
    libName: lib.libName,
    libDirNonStandard: lib.nonStandard,
  };
}

export interface BuiltPeer {
  binary: string;
  /** The compile command line (whether or not it ran this time). */
  compileCommand: string;
  rebuilt: boolean;
}

/**
 * Compile bench/peers/<name>.cc into bench/peers/build/<name> when the binary
 * is missing, older than the source, or was built with another command line.
 */
export async function buildNs3Peer(root: string, name: string, tc: Ns3Toolchain): Promise<BuiltPeer> {
  const src = path.join(root, 'bench', 'peers', `${name}.cc`);
  const buildDir = path.join(root, 'bench', 'peers', 'build');
  const out = path.join(buildDir, name);
  const args = ['-O2', '-std=c++17', '-o', out, src];
  if (tc.includeRoot !== null) args.push(`-I${tc.includeRoot}`);
  if (tc.libDirNonStandard) args.push(`-L${tc.libDir}`, `-Wl,-rpath,${tc.libDir}`);
  args.push(`-l${tc.libName}`);
  const compileCommand = commandLine(tc.cxx, args);
  const stamp = `${out}.cmd`;
  const srcTime = fs.statSync(src).mtimeMs;
  const upToDate =
    fs.existsSync(out) &&
    fs.statSync(out).mtimeMs >= srcTime &&
    fs.existsSync(stamp) &&
    fs.readFileSync(stamp, 'utf8') === compileCommand;
  if (upToDate) return { binary: out, compileCommand, rebuilt: false };
  fs.mkdirSync(buildDir, { recursive: true });
  const r = await run(tc.cxx, args, { timeoutMs: 10 * 60_000 });
  if (r.code !== 0) {
    throw new Error(`compiling ${name} failed:\n${compileCommand}\n${r.stderr.trim()}`);
  }
  fs.writeFileSync(stamp, compileCommand);
  return { binary: out, compileCommand, rebuilt: true };
}

/**
 * Start a worker thread from a module beside the caller, the same way from
 * compiled dist/ (`.js`) and from sources run under tsx (`.ts`, as the tests
 * run them). The module's extension follows the caller's. Node 20 does not
 * apply the parent's `--import=tsx` loader to a worker's entry module, so a
 * `.ts` worker starts from a small bootstrap that registers tsx's loader in
 * the worker and then imports the module (workerData works as usual).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** The URL of module `name` (no extension) in the directory of `callerUrl` (an import.meta.url). */
export function siblingModule(callerUrl: string, name: string): URL {
  const ext = new URL(callerUrl).pathname.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${name}${ext}`, callerUrl);
}

export function spawnWorker(moduleUrl: URL, options: WorkerOptions = {}): Worker {
  if (!moduleUrl.pathname.endsWith('.ts')) return new Worker(moduleUrl, options);
  const tsx = tsxApiUrl();
  const bootstrap =
    `import(${JSON.stringify(tsx)})` +
    `.then((tsx) => { tsx.register(); return import(${JSON.stringify(moduleUrl.href)}); })` +
    `.catch((e) => { process.stderr.write('dynasim: cannot start a worker: ' + (e && e.stack || e) + '\\n'); process.exit(70); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}

/** tsx's ESM API module (its package exports map `tsx/esm/api` to dist/esm/api/index.mjs for import). */
function tsxApiUrl(): string {
  const meta = import.meta as { resolve?: (specifier: string) => string };
  if (typeof meta.resolve === 'function') return meta.resolve('tsx/esm/api');
  const pkg = createRequire(import.meta.url).resolve('tsx/package.json');
  return pathToFileURL(join(dirname(pkg), 'dist', 'esm', 'api', 'index.mjs')).href;
}

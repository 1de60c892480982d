/**
 * Writes a run's report folder: summary.json, summary.md and report.html.
 *
 * Atomic per file: everything is rendered first (a renderer that throws
 * touches nothing), then each file goes to a temporary name in the target
 * directory, is flushed, and is renamed into place. summary.json is renamed
 * last, so a folder with a summary.json holds a complete report (what a
 * resumed sweep or `dynasim merge` can rely on).
 */
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempPath, writeDurably } from './atomic.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import type { Summary } from './summary.js';

export const SUMMARY_JSON = 'summary.json';
export const SUMMARY_MD = 'summary.md';
export const REPORT_HTML = 'report.html';

export interface WriteReportOptions {
  /** Write report.html (default true). Sweeps of hundreds of runs may skip it: it inlines d3 (~280 KB). */
  html?: boolean;
}

/** The paths written, in the order they were renamed into place. */
export interface WrittenReport {
  html: string | null;
  markdown: string;
  json: string;
}

/** The bytes of every JSON file dynasim writes: two-space JSON in the object's field order, and a final newline. */
export function renderJson(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

/** summary.json's bytes. */
export function renderSummaryJson(summary: Summary): string {
  return renderJson(summary);
}

export function writeReport(dir: string, summary: Summary, options: WriteReportOptions = {}): WrittenReport {
  // Render everything before touching the file system.
  const files: Array<{ name: string; text: string }> = [];
  if (options.html ?? true) files.push({ name: REPORT_HTML, text: renderHtml(summary) });
  files.push({ name: SUMMARY_MD, text: renderMarkdown(summary) });
  files.push({ name: SUMMARY_JSON, text: renderSummaryJson(summary) });

  mkdirSync(dir, { recursive: true });
  const temps: string[] = [];
  let renamed = 0;
  try {
    for (const file of files) {
      const temp = tempPath(dir, file.name);
      temps.push(temp);
      writeDurably(temp, file.text);
    }
    for (const [i, file] of files.entries()) {
      renameSync(temps[i]!, join(dir, file.name));
      renamed = i + 1;
    }
  } finally {
    for (const temp of temps.slice(renamed)) rmSync(temp, { force: true });
  }
  return {
    html: options.html ?? true ? join(dir, REPORT_HTML) : null,
    markdown: join(dir, SUMMARY_MD),
    json: join(dir, SUMMARY_JSON),
  };
}

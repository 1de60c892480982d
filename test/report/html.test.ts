import test from 'ava';
import { chartSpecs, renderHtml } from '../../src/report/html.js';
import type { Summary } from '../../src/report/summary.js';
import { emptySummary, fixtureSummary } from './fixture.js';

const summary = fixtureSummary();
const html = renderHtml(summary);

function embeddedSummary(page: string): unknown {
  const match = /<script type="application\/json" id="dynasim-summary">([\s\S]*?)<\/script>/.exec(page);
  if (match === null) throw new Error('no embedded summary');
  return JSON.parse(match[1]!);
}

test('self-contained: d3 and the summary are inlined, nothing is fetched', (t) => {
  t.true(html.includes('// https://d3js.org v7.9.2'), 'd3 bundle inlined');
  t.notRegex(html, /<script[^>]+src=/i);
  t.notRegex(html, /<link(?![^>]*href="data:)[^>]*href=/i);
  t.notRegex(html, /@import|url\(\s*['"]?https?:/i);
  t.deepEqual(embeddedSummary(html), summary);
});

test('one svg.chart per chart, each with a title and a caption', (t) => {
  for (const spec of chartSpecs(summary)) {
    t.regex(html, new RegExp(`<h2>${spec.title}</h2>\\n<svg class="chart" id="${spec.id}" viewBox="0 0 \\d+ \\d+"`));
    t.true(spec.caption.length > 40 && spec.caption.length < 160, spec.caption);
    t.true(html.includes(`<figcaption>${spec.caption.replace(/'/g, '&#39;')}</figcaption>`), spec.id);
  }
});

test('header facts, checks, lost writes and the node table are in the page', (t) => {
  for (const fact of [summary.digest, summary.seed, '48,213,907', 'dynasim 0.1.0']) t.true(html.includes(fact), fact);
  t.true(html.includes('<h2>Checks: 3 passed, 2 failed</h2>'));
  t.is(html.match(/<tr class="fail">/g)?.length, 2);
  t.is(html.match(/<td class="result">PASS<\/td>/g)?.length, 3);
  t.true(html.includes('<code>cart:01842</code>'));
  t.true(html.includes('<td class="num">187.4ms</td>'));
  t.is(html.match(/<th class="num" data-type="number"><button/g)?.length, 6);
});

test('text from the summary cannot break out of its element', (t) => {
  const hostile: Summary = {
    ...summary,
    scenario: '</script><!--<b>x</b>',
    checks: [{ name: '<img src=x onerror=alert(1)>', pass: false, detail: '"quoted" & \'single\'' }],
  };
  const page = renderHtml(hostile);
  t.is(page.match(/<\/script>/gi)?.length, 3, 'only the three script elements close');
  t.false(page.includes('<!--'));
  t.false(page.includes('<img'));
  t.true(page.includes('&lt;/script&gt;&lt;!--&lt;b&gt;x&lt;/b&gt;'));
  t.true(page.includes('&quot;quoted&quot; &amp; &#39;single&#39;'));
  t.deepEqual(embeddedSummary(page), hostile);
});

test('deterministic: the same summary renders the same bytes', (t) => {
  t.is(renderHtml(fixtureSummary()), html);
  t.is(renderHtml(emptySummary()), renderHtml(emptySummary()));
});

test('an empty run renders a page too', (t) => {
  const page = renderHtml(emptySummary());
  t.true(page.includes('No checks ran.'));
  t.true(page.includes('No nodes.'));
  t.is(page.match(/<svg class="chart"/g)?.length, chartSpecs(emptySummary()).length);
});

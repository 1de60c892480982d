import test from 'ava';
import { execFileSync } from 'node:child_process';
import { InvalidOptionError, SimulationLimitError } from '../../sim/errors.js';
import { EXIT_BAD_INPUT, EXIT_BUG, quote, reportRunError } from '../../src/cli/io.js';

test('quote: safe words stay as they are; others come back from a shell unchanged', (t) => {
  t.is(quote('reports/lost-writes/1'), 'reports/lost-writes/1');
  t.is(quote('cluster.quorum.r=2'), 'cluster.quorum.r=2');
  for (const word of ["it's", 'a b', '$HOME', 'x;rm -rf /', '"q"', '', 'tab\there']) {
    const back = execFileSync('/bin/sh', ['-c', `printf %s ${quote(word)}`], { encoding: 'utf8' });
    t.is(back, word, JSON.stringify(word));
  }
});

test('a run that throws: bad input or a limit is exit 2, anything else a bug (exit 3); both say how to reproduce', (t) => {
  const lines: string[] = [];
  const io = { out: (s: string) => lines.push(s), err: (s: string) => lines.push(s), stderrIsTty: false };
  t.is(reportRunError(new SimulationLimitError('maxEvents', 'more than 10 events', '9'), 'dynasim run x --seed 9', io), EXIT_BAD_INPUT);
  t.is(reportRunError(new InvalidOptionError('rate', -1, 'a rate >= 0'), 'dynasim run x --seed 9', io), EXIT_BAD_INPUT);
  t.is(reportRunError(new TypeError('x is undefined'), 'dynasim run x --seed 9', io), EXIT_BUG);
  t.regex(lines[0]!, /^dynasim: simulation limit reached: maxEvents/);
  t.regex(lines[4]!, /^dynasim: internal error \(a bug in dynasim .*TypeError: x is undefined/s);
  t.is(lines.filter((l) => l.startsWith('reproduce: ')).length, 3);
});

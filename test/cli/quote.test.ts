import test from 'ava';
import { execFileSync } from 'node:child_process';
import { quote } from '../../src/cli/io.js';

test('quote: safe words stay as they are; others come back from a shell unchanged', (t) => {
  t.is(quote('reports/lost-writes/1'), 'reports/lost-writes/1');
  t.is(quote('cluster.quorum.r=2'), 'cluster.quorum.r=2');
  for (const word of ["it's", 'a b', '$HOME', 'x;rm -rf /', '"q"', '', 'tab\there']) {
    const back = execFileSync('/bin/sh', ['-c', `printf %s ${quote(word)}`], { encoding: 'utf8' });
    t.is(back, word, JSON.stringify(word));
  }
});

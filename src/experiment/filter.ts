/**
 * The filter of a sweep file: a tiny expression language over the axes'
 * short names (`r + w > n`, `preset != "WAN" or w == 1`), parsed by hand
 * and evaluated over values: no eval, no Function, no property access, so
 * a sweep file cannot run code.
 *
 *   or      := and (("||" | "or") and)*
 *   and     := not (("&&" | "and") not)*
 *   not     := ("!" | "not") not | compare
 *   compare := sum (("==" | "!=" | "<" | "<=" | ">" | ">=") sum)?     (does not chain)
 *   sum     := product (("+" | "-") product)*
 *   product := unary (("*" | "/" | "%") unary)*
 *   unary   := "-" unary | primary
 *   primary := number | "string" | 'string' | true | false | name | "(" or ")"
 *
 * Values are numbers, strings and booleans, and nothing converts silently:
 * arithmetic and ordering take numbers (ordering also two strings), `and`,
 * `or` and `not` take booleans, `==` compares values of one type. Mistakes
 * are reported with the column they start at.
 */
import { didYouMean } from '../scenario/errors.js';

export type FilterValue = number | string | boolean;

export type FilterExpr =
  | { kind: 'literal'; value: FilterValue; column: number }
  | { kind: 'name'; name: string; column: number }
  | { kind: 'unary'; op: '-' | 'not'; operand: FilterExpr; column: number }
  | { kind: 'binary'; op: BinaryOp; left: FilterExpr; right: FilterExpr; column: number };

type BinaryOp = 'or' | 'and' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%';

/** A mistake in a filter: what is wrong and the 1-based column it starts at. */
export class FilterError extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(message);
  }
}

/** Longest accepted filter (a filter is one line; this bounds parsing work). */
const FILTER_LENGTH_MAX = 1_000;
/** Deepest nesting accepted (bounds recursion). */
const DEPTH_MAX = 64;

interface Token {
  kind: 'number' | 'string' | 'name' | 'op' | 'end';
  text: string;
  value?: FilterValue;
  column: number;
}

const OPERATORS = ['||', '&&', '==', '!=', '<=', '>=', '<', '>', '+', '-', '*', '/', '%', '!', '(', ')'];
const WORDS: Record<string, string> = { or: '||', and: '&&', not: '!' };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const column = i + 1;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (/[0-9.]/.test(c)) {
      const m = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(text.slice(i));
      if (m === null) throw new FilterError(`unexpected ${JSON.stringify(c)}`, column);
      const after = text[i + m[0].length];
      if (after !== undefined && /[A-Za-z_]/.test(after)) throw new FilterError(`expected a number, got ${JSON.stringify(text.slice(i).split(/[\s()]/)[0])}`, column);
      tokens.push({ kind: 'number', text: m[0], value: Number(m[0]), column });
      i += m[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = text.indexOf(c, i + 1);
      if (end < 0) throw new FilterError(`unterminated string (a ${c} is missing)`, column);
      tokens.push({ kind: 'string', text: text.slice(i, end + 1), value: text.slice(i + 1, end), column });
      i = end + 1;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))!;
      const word = m[0];
      if (Object.hasOwn(WORDS, word)) tokens.push({ kind: 'op', text: WORDS[word]!, column });
      else if (word === 'true' || word === 'false') tokens.push({ kind: 'string', text: word, value: word === 'true', column });
      else tokens.push({ kind: 'name', text: word, column });
      i += word.length;
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op === undefined) {
      if (c === '=') throw new FilterError('"=" is not an operator: compare with "=="', column);
      if (c === '&' || c === '|') throw new FilterError(`"${c}" is not an operator: use "${c}${c}" (or "${c === '&' ? 'and' : 'or'}")`, column);
      throw new FilterError(`unexpected ${JSON.stringify(c)}`, column);
    }
    if (op === '==' && text[i + 2] === '=') throw new FilterError('"===" is not an operator: compare with "=="', column);
    tokens.push({ kind: 'op', text: op, column });
    i += op.length;
  }
  tokens.push({ kind: 'end', text: 'the end', column: text.length + 1 });
  return tokens;
}

class Parser {
  private pos = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.pos]!;
  }

  private isOp(...ops: string[]): boolean {
    const t = this.peek();
    return t.kind === 'op' && ops.includes(t.text);
  }

  parse(): FilterExpr {
    const e = this.or();
    const t = this.peek();
    if (t.kind !== 'end') throw new FilterError(`expected an operator or the end of the filter, got ${describe(t)}`, t.column);
    return e;
  }

  private binaryLevel(ops: string[], next: () => FilterExpr, map: (op: string) => BinaryOp = (op) => op as BinaryOp): FilterExpr {
    let left = next();
    while (this.isOp(...ops)) {
      const t = this.tokens[this.pos++]!;
      const right = next();
      left = { kind: 'binary', op: map(t.text), left, right, column: t.column };
    }
    return left;
  }

  private or(): FilterExpr {
    return this.binaryLevel(['||'], () => this.and(), () => 'or');
  }

  private and(): FilterExpr {
    return this.binaryLevel(['&&'], () => this.not(), () => 'and');
  }

  private not(): FilterExpr {
    if (this.isOp('!')) {
      const t = this.tokens[this.pos++]!;
      return this.nested(() => ({ kind: 'unary', op: 'not', operand: this.not(), column: t.column }));
    }
    return this.compare();
  }

  private compare(): FilterExpr {
    const left = this.sum();
    if (!this.isOp('==', '!=', '<', '<=', '>', '>=')) return left;
    const t = this.tokens[this.pos++]!;
    const right = this.sum();
    if (this.isOp('==', '!=', '<', '<=', '>', '>=')) {
      const u = this.peek();
      throw new FilterError(`comparisons do not chain: write "a ${t.text} b and b ${u.text} c"`, u.column);
    }
    return { kind: 'binary', op: t.text as BinaryOp, left, right, column: t.column };
  }

  private sum(): FilterExpr {
    return this.binaryLevel(['+', '-'], () => this.product());
  }

  private product(): FilterExpr {
    return this.binaryLevel(['*', '/', '%'], () => this.unary());
  }

  private unary(): FilterExpr {
    if (this.isOp('-')) {
      const t = this.tokens[this.pos++]!;
      return this.nested(() => ({ kind: 'unary', op: '-', operand: this.unary(), column: t.column }));
    }
    return this.primary();
  }

  private primary(): FilterExpr {
    const t = this.peek();
    if (t.kind === 'number' || t.kind === 'string') {
      this.pos++;
      return { kind: 'literal', value: t.value!, column: t.column };
    }
    if (t.kind === 'name') {
      this.pos++;
      return { kind: 'name', name: t.text, column: t.column };
    }
    if (this.isOp('(')) {
      this.pos++;
      const e = this.nested(() => this.or());
      const close = this.peek();
      if (!this.isOp(')')) throw new FilterError(`expected ")" to close the "(" at column ${t.column}, got ${describe(close)}`, close.column);
      this.pos++;
      return e;
    }
    throw new FilterError(`expected a value (a number, a string, an axis name or "("), got ${describe(t)}`, t.column);
  }

  private nested<T>(f: () => T): T {
    if (++this.depth > DEPTH_MAX) throw new FilterError(`nested more than ${DEPTH_MAX} deep`, this.peek().column);
    try {
      return f();
    } finally {
      this.depth--;
    }
  }
}

function describe(t: Token): string {
  return t.kind === 'end' ? 'the end of the filter' : JSON.stringify(t.text);
}

/**
 * Parse a filter and check that it names only `names` (the axes' short
 * names). Throws FilterError with the column of the first mistake.
 */
export function compileFilter(text: string, names: readonly string[]): FilterExpr {
  if (text.length > FILTER_LENGTH_MAX) throw new FilterError(`expected a filter of at most ${FILTER_LENGTH_MAX} characters, got ${text.length}`, 1);
  if (text.trim() === '') throw new FilterError('expected an expression, got an empty filter', 1);
  const expr = new Parser(tokenize(text)).parse();
  const check = (e: FilterExpr): void => {
    switch (e.kind) {
      case 'name':
        if (!names.includes(e.name)) {
          const known = names.length === 0 ? 'there are no axes' : `the axes are ${names.map((n) => JSON.stringify(n)).join(', ')}`;
          throw new FilterError(`unknown name ${JSON.stringify(e.name)}${didYouMean(e.name, names)} (${known})`, e.column);
        }
        return;
      case 'unary':
        return check(e.operand);
      case 'binary':
        check(e.left);
        check(e.right);
        return;
      case 'literal':
        return;
    }
  };
  check(expr);
  return expr;
}

/** Evaluate a compiled filter; throws FilterError on a type mistake (`"WAN" + 1`, `not 3`). */
export function evaluateFilter(expr: FilterExpr, env: Readonly<Record<string, FilterValue>>): FilterValue {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'name': {
      const v = Object.hasOwn(env, expr.name) ? env[expr.name] : undefined;
      if (v === undefined) throw new FilterError(`unknown name ${JSON.stringify(expr.name)}`, expr.column);
      return v;
    }
    case 'unary': {
      const v = evaluateFilter(expr.operand, env);
      if (expr.op === '-') return -number(v, '-', expr.column);
      return !boolean(v, 'not', expr.column);
    }
    case 'binary': {
      const { op, column } = expr;
      if (op === 'and' || op === 'or') {
        // Both sides must be booleans; the right one is evaluated only when needed.
        const left = boolean(evaluateFilter(expr.left, env), op, column);
        if (op === 'and' ? !left : left) return left;
        return boolean(evaluateFilter(expr.right, env), op, column);
      }
      const a = evaluateFilter(expr.left, env);
      const b = evaluateFilter(expr.right, env);
      switch (op) {
        case '==':
        case '!=': {
          if (typeof a !== typeof b) throw new FilterError(`"${op}" compares values of one type, got ${typeText(a)} and ${typeText(b)}`, column);
          return op === '==' ? a === b : a !== b;
        }
        case '<':
        case '<=':
        case '>':
        case '>=': {
          if (!((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string'))) {
            throw new FilterError(`"${op}" orders two numbers or two strings, got ${typeText(a)} and ${typeText(b)}`, column);
          }
          return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
        }
        default: {
          const x = number(a, op, column);
          const y = number(b, op, column);
          switch (op) {
            case '+':
              return x + y;
            case '-':
              return x - y;
            case '*':
              return x * y;
            case '/':
              if (y === 0) throw new FilterError('division by zero', column);
              return x / y;
            case '%':
              if (y === 0) throw new FilterError('remainder by zero', column);
              return x % y;
          }
        }
      }
    }
  }
}

function number(v: FilterValue, op: string, column: number): number {
  if (typeof v !== 'number') throw new FilterError(`"${op}" takes numbers, got ${typeText(v)}`, column);
  return v;
}

function boolean(v: FilterValue, op: string, column: number): boolean {
  if (typeof v !== 'boolean') throw new FilterError(`"${op}" takes true or false (a comparison), got ${typeText(v)}`, column);
  return v;
}

function typeText(v: FilterValue): string {
  return typeof v === 'string' ? `the string ${JSON.stringify(v)}` : typeof v === 'number' ? `the number ${v}` : `the boolean ${v}`;
}

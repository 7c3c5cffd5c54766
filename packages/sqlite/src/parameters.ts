/**
 * The parameters a statement takes, read from its SQL: either `count` anonymous `?` parameters, or the
 * named ones (`@name`, `:name`, `$name`), each name once, without its prefix.
 *
 * node:sqlite cannot say which parameters a statement has, and binds NULL to any it is not given; better-sqlite3
 * refuses a call that misses one. Knowing them lets the driver give both the same, stricter, behaviour.
 */
export interface ParameterShape {
  readonly count: number;
  readonly names: readonly string[];
}

const NAME_START = /[A-Za-z_\u0080-\uffff]/;
const NAME_PART = /[A-Za-z0-9_$\u0080-\uffff]/;

/** Skips from `start` (just after the opening quote) past the closing `quote`; a doubled quote is one character. */
function skipQuoted(sql: string, start: number, quote: string): number {
  let index = start;
  while (index < sql.length) {
    if (sql[index] === quote) {
      if (sql[index + 1] === quote) index += 2;
      else return index + 1;
    } else index++;
  }
  return index;
}

/**
 * Finds the parameters of `sql`, skipping string literals, quoted identifiers and comments. Throws for
 * numbered parameters (`?1`) and for a statement that mixes anonymous and named ones: one call shape per
 * statement keeps both implementations in step.
 */
export function parameterShape(sql: string): ParameterShape {
  let count = 0;
  const names: string[] = [];
  let index = 0;
  while (index < sql.length) {
    const char = sql[index] as string;
    const next = sql[index + 1];
    if (char === "'" || char === '"' || char === '`') index = skipQuoted(sql, index + 1, char);
    else if (char === '[') {
      const end = sql.indexOf(']', index + 1);
      index = end === -1 ? sql.length : end + 1;
    } else if (char === '-' && next === '-') {
      const end = sql.indexOf('\n', index + 2);
      index = end === -1 ? sql.length : end + 1;
    } else if (char === '/' && next === '*') {
      const end = sql.indexOf('*/', index + 2);
      index = end === -1 ? sql.length : end + 2;
    } else if (char === '?') {
      if (next !== undefined && /[0-9]/.test(next))
        throw new SyntaxError('numbered parameters (?1) are not supported: use ? or a named parameter');
      count++;
      index++;
    } else if (
      (char === '@' || char === ':' || char === '$') &&
      next !== undefined &&
      NAME_START.test(next)
    ) {
      let end = index + 2;
      while (end < sql.length && NAME_PART.test(sql[end] as string)) end++;
      const name = sql.slice(index + 1, end);
      if (!names.includes(name)) names.push(name);
      index = end;
    } else index++;
  }
  if (count > 0 && names.length > 0)
    throw new SyntaxError('a statement takes anonymous (?) or named (@name) parameters, not both');
  return { count, names };
}

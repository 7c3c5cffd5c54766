import { describe, expect, it } from 'vitest';
import { parameterShape } from '../src/parameters.js';

describe('parameterShape', () => {
  it.each([
    ['SELECT 1', 0, []],
    ['SELECT ?, ?', 2, []],
    ['INSERT INTO t VALUES (@a, :b, $c, @a)', 0, ['a', 'b', 'c']],
    ["SELECT '?', 'it''s @a', x'3f' FROM t WHERE a = ?", 1, []],
    ['SELECT "@a", `?`, [:b] FROM t -- ? @c\nWHERE d = @d /* ? @e */', 0, ['d']],
    ['SELECT @名字, @a_1$x', 0, ['名字', 'a_1$x']],
    ["SELECT printf('171%08d', i) FROM n WHERE i < ?", 1, []],
    ['SELECT a:b FROM t', 0, ['b']],
    ['SELECT @ FROM t', 0, []],
  ])('%s', (sql, count, names) => {
    expect(parameterShape(sql)).toEqual({ count, names });
  });

  it('refuses numbered parameters and mixed statements', () => {
    expect(() => parameterShape('SELECT ?1')).toThrow(SyntaxError);
    expect(() => parameterShape('SELECT ?, @a')).toThrow(SyntaxError);
  });

  it('stops at an unterminated string or comment', () => {
    expect(parameterShape("SELECT 'abc ?")).toEqual({ count: 0, names: [] });
    expect(parameterShape('SELECT 1 /* ?')).toEqual({ count: 0, names: [] });
  });
});

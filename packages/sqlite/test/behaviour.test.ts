import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite, type SqliteDatabase, type SqliteImplementation } from '../src/index.js';

// One behaviour, two implementations: every test below runs against each implementation this Node.js
// can load (node:sqlite from 22.13; better-sqlite3 where its native build matches this Node.js).
const IMPLEMENTATIONS: SqliteImplementation[] = ['node:sqlite', 'better-sqlite3'];

function unavailable(implementation: SqliteImplementation): string | undefined {
  try {
    openSqlite(':memory:', { implementation }).close();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

const availability = IMPLEMENTATIONS.map((implementation) => ({
  implementation,
  reason: unavailable(implementation),
}));
console.info(
  `SQLite behaviour suite on Node.js ${process.versions.node}: ${availability
    .map(({ implementation, reason }) => `${implementation} ${reason ? `skipped (${reason})` : 'runs'}`)
    .join('; ')}`,
);

it('runs against at least one implementation', () => {
  expect(availability.some(({ reason }) => reason === undefined)).toBe(true);
});

const opened: SqliteDatabase[] = [];
afterEach(() => {
  // Every connection is closed: better-sqlite3 on Node 24 aborts the process when it collects one that is not.
  for (const db of opened.splice(0)) db.close();
});

for (const { implementation, reason } of availability) {
  describe.skipIf(reason !== undefined)(implementation, () => {
    const open = (path = ':memory:', busyTimeoutMs?: number) => {
      const db = openSqlite(path, { implementation, busyTimeoutMs });
      opened.push(db);
      return db;
    };
    const scratch = () => mkdtempSync(join(tmpdir(), 'axn-sqlite-'));

    describe('opening', () => {
      it('uses the implementation asked for and says so', () => {
        expect(open().implementation).toBe(implementation);
      });

      it('creates the file 0600 in a new 0700 folder, in WAL mode, and the WAL files 0600 too', () => {
        const dir = join(scratch(), 'state');
        const db = open(join(dir, 'x.db'));
        db.exec('CREATE TABLE t (a INTEGER)');
        db.run('INSERT INTO t VALUES (?)', 1);
        expect(statSync(dir).mode & 0o777).toBe(0o700);
        expect(db.get('PRAGMA journal_mode')).toEqual({ journal_mode: 'wal' });
        expect(readdirSync(dir).sort()).toEqual(['x.db', 'x.db-shm', 'x.db-wal']);
        for (const file of readdirSync(dir)) expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600);
      });

      it('makes an older file that others could read private', () => {
        const path = join(scratch(), 'old.db');
        writeFileSync(path, '', { mode: 0o644 });
        open(path);
        expect(statSync(path).mode & 0o777).toBe(0o600);
      });

      it('sets the busy timeout and turns foreign keys on', () => {
        expect(open().get('PRAGMA busy_timeout')).toEqual({ timeout: 5000 });
        expect(open(':memory:', 250).get('PRAGMA busy_timeout')).toEqual({ timeout: 250 });
        const db = open();
        expect(db.get('PRAGMA foreign_keys')).toEqual({ foreign_keys: 1 });
        db.exec('CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (p INTEGER REFERENCES p(id))');
        expect(() => db.run('INSERT INTO c VALUES (?)', 9)).toThrow(/FOREIGN KEY constraint failed/);
      });
    });

    describe('statements', () => {
      const table = () => {
        const db = open();
        db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, n INTEGER, b BLOB)');
        return db;
      };

      it('run answers the rows changed and the last rowid, as numbers', () => {
        const db = table();
        expect(db.run('INSERT INTO t (name) VALUES (?)', 'a')).toEqual({ changes: 1, lastInsertRowid: 1 });
        expect(db.run('INSERT INTO t (name) VALUES (?)', 'b')).toEqual({ changes: 1, lastInsertRowid: 2 });
        expect(db.run('UPDATE t SET n = 1').changes).toBe(2);
        expect(db.run('DELETE FROM t WHERE id = ?', 99).changes).toBe(0);
      });

      it('get answers the first row or undefined; all answers every row, keyed by column name', () => {
        const db = table();
        db.run('INSERT INTO t (name, n) VALUES (?, ?)', 'a', 1);
        db.run('INSERT INTO t (name, n) VALUES (?, ?)', 'b', 2);
        expect(db.get('SELECT name, n FROM t ORDER BY id')).toEqual({ name: 'a', n: 1 });
        expect(db.get('SELECT name FROM t WHERE id = ?', 42)).toBeUndefined();
        expect(db.all('SELECT name AS label FROM t ORDER BY id')).toEqual([{ label: 'a' }, { label: 'b' }]);
        expect(db.all('SELECT * FROM t WHERE id > ?', 5)).toEqual([]);
        const row = db.get<Record<string, unknown>>('SELECT n FROM t') as Record<string, unknown>;
        expect(Object.keys(row)).toEqual(['n']);
        expect(JSON.stringify(row)).toBe('{"n":1}');
      });

      it('binds null, undefined (as NULL), numbers, bigints, strings and bytes; refuses booleans', () => {
        const db = table();
        db.run('INSERT INTO t (name, n, b) VALUES (?, ?, ?)', null, undefined, new Uint8Array([1, 2, 255]));
        db.run('INSERT INTO t (name, n) VALUES (?, ?)', '北京 ☎', 2n ** 40n);
        db.run('INSERT INTO t (name, n) VALUES (?, ?)', 'x', 1.5);
        const rows = db.all<{ name: string | null; n: number | null; b: Uint8Array | null }>(
          'SELECT name, n, b FROM t ORDER BY id',
        );
        expect(rows.map(({ name, n }) => [name, n])).toEqual([
          [null, null],
          ['北京 ☎', 2 ** 40],
          ['x', 1.5],
        ]);
        expect([...(rows[0]!.b as Uint8Array)]).toEqual([1, 2, 255]);
        expect(() => db.run('INSERT INTO t (n) VALUES (?)', true as never)).toThrow(TypeError);
      });

      it('refuses too few or too many anonymous values', () => {
        const db = table();
        expect(() => db.run('INSERT INTO t (name, n) VALUES (?, ?)', 'a')).toThrow(
          'Too few parameter values were provided',
        );
        expect(() => db.run('INSERT INTO t (name) VALUES (?)', 'a', 2)).toThrow(
          'Too many parameter values were provided',
        );
        expect(db.all('SELECT * FROM t')).toEqual([]);
      });

      it('takes named parameters with @, : and $, by name without the prefix; ignores extra keys', () => {
        const db = table();
        db.run('INSERT INTO t (name, n) VALUES (@name, @n)', { name: 'a', n: 1, unused: 'x' });
        db.run('INSERT INTO t (name, n) VALUES (:name, :n)', { name: 'b', n: 2 });
        db.run('INSERT INTO t (name, n) VALUES ($name, $n)', { name: 'c', n: undefined });
        expect(db.all('SELECT name, n FROM t WHERE n >= @low OR n IS NULL ORDER BY id', { low: 2 })).toEqual([
          { name: 'b', n: 2 },
          { name: 'c', n: null },
        ]);
        // The same name twice is one parameter.
        expect(db.get('SELECT @v + @v AS twice', { v: 21 })).toEqual({ twice: 42 });
      });

      it('binds an object whose type is an interface (the emulator passes its records as they are)', () => {
        interface Row {
          readonly name: string;
          readonly n: number;
        }
        const row: Row = { name: 'a', n: 1 };
        const db = table();
        db.run('INSERT INTO t (name, n) VALUES (@name, @n)', row);
        expect(db.get('SELECT name, n FROM t')).toEqual(row);
      });

      it('refuses a named parameter missing from the object, and runs nothing', () => {
        const db = table();
        expect(() => db.run('INSERT INTO t (name, n) VALUES (@name, @n)', { name: 'a' })).toThrow(
          'Missing named parameter "n"',
        );
        expect(db.all('SELECT * FROM t')).toEqual([]);
      });

      it('sees no parameters inside strings, quoted names and comments', () => {
        const db = table();
        db.exec('CREATE TABLE "odd?@x" ("?" TEXT)');
        db.run(`INSERT INTO "odd?@x" ("?") VALUES ('it''s @a ? :b') -- ? @c`);
        db.run(`/* ? */ INSERT INTO [odd?@x] (\`?\`) VALUES (?)`, 'two');
        expect(db.all('SELECT "?" AS v FROM "odd?@x" ORDER BY rowid')).toEqual([
          { v: "it's @a ? :b" },
          { v: 'two' },
        ]);
      });

      it('refuses numbered parameters and statements that mix anonymous and named ones', () => {
        const db = table();
        expect(() => db.prepare('SELECT ?1')).toThrow(/numbered parameters/);
        expect(() => db.prepare('SELECT ?, @a')).toThrow(/not both/);
      });

      it('reports constraint violations in SQLite words', () => {
        const db = table();
        db.run('INSERT INTO t (name) VALUES (?)', 'a');
        expect(() => db.run('INSERT INTO t (name) VALUES (?)', 'a')).toThrow(
          /UNIQUE constraint failed: t\.name/,
        );
      });

      it('prepares each SQL text once and keeps it', () => {
        const db = table();
        const sql = 'SELECT COUNT(*) AS n FROM t';
        expect(db.prepare(sql)).toBe(db.prepare(sql));
        // Past the cache's size the oldest is dropped, and statements still work.
        for (let index = 0; index < 600; index++) db.get(`SELECT ${index} AS v`);
        expect(db.get('SELECT 0 AS v')).toEqual({ v: 0 });
        expect(db.get(sql)).toEqual({ n: 0 });
      });

      it('exec runs several statements at once', () => {
        const db = open();
        db.exec("CREATE TABLE a (x); INSERT INTO a VALUES (1); INSERT INTO a VALUES ('two');");
        expect(db.all('SELECT x FROM a')).toEqual([{ x: 1 }, { x: 'two' }]);
      });
    });

    describe('transactions', () => {
      const counter = (path = ':memory:') => {
        const db = open(path);
        db.exec('CREATE TABLE IF NOT EXISTS c (n INTEGER)');
        return db;
      };
      const count = (db: SqliteDatabase) =>
        (db.get<{ n: number }>('SELECT COUNT(*) AS n FROM c') as { n: number }).n;

      it('commits what the work did and answers what it returned', () => {
        const db = counter();
        expect(
          db.transaction(() => {
            expect(db.inTransaction).toBe(true);
            db.run('INSERT INTO c VALUES (1)');
            db.run('INSERT INTO c VALUES (2)');
            return 'done';
          }),
        ).toBe('done');
        expect(db.inTransaction).toBe(false);
        expect(count(db)).toBe(2);
      });

      it('rolls everything back when the work throws, and rethrows', () => {
        const db = counter();
        const failure = new Error('no');
        expect(() =>
          db.transaction(() => {
            db.run('INSERT INTO c VALUES (1)');
            throw failure;
          }),
        ).toThrow(failure);
        expect(count(db)).toBe(0);
        expect(db.inTransaction).toBe(false);
        db.transaction(() => db.run('INSERT INTO c VALUES (3)'));
        expect(count(db)).toBe(1);
      });

      it('refuses work that returns a promise, and rolls it back', async () => {
        const db = counter();
        expect(() =>
          db.transaction(async () => {
            db.run('INSERT INTO c VALUES (1)');
          }),
        ).toThrow(/synchronous/);
        expect(count(db)).toBe(0);
        expect(db.inTransaction).toBe(false);
      });

      it('nests as savepoints: an inner failure caught undoes only the inner work', () => {
        const db = counter();
        db.transaction(() => {
          db.run('INSERT INTO c VALUES (1)');
          expect(() =>
            db.transaction(() => {
              db.run('INSERT INTO c VALUES (2)');
              throw new Error('inner');
            }),
          ).toThrow('inner');
          db.transaction(() => db.run('INSERT INTO c VALUES (3)'));
        });
        expect(db.all('SELECT n FROM c ORDER BY n')).toEqual([{ n: 1 }, { n: 3 }]);
      });

      it('an outer failure undoes inner work that had completed', () => {
        const db = counter();
        expect(() =>
          db.transaction(() => {
            db.transaction(() => db.run('INSERT INTO c VALUES (1)'));
            throw new Error('outer');
          }),
        ).toThrow('outer');
        expect(count(db)).toBe(0);
      });

      it('another connection sees none of the work until COMMIT', () => {
        const path = join(scratch(), 'shared.db');
        const writer = counter(path);
        const reader = counter(path);
        writer.transaction(() => {
          writer.run('INSERT INTO c VALUES (1)');
          expect(count(reader)).toBe(0);
        });
        expect(count(reader)).toBe(1);
      });

      it("a second writer waits for the busy timeout, then fails with SQLite's words", () => {
        const path = join(scratch(), 'busy.db');
        const first = counter(path);
        const second = open(path, 50);
        first.transaction(() => {
          first.run('INSERT INTO c VALUES (1)');
          const started = performance.now();
          expect(() => second.run('INSERT INTO c VALUES (2)')).toThrow(/database is locked/);
          expect(performance.now() - started).toBeGreaterThanOrEqual(40);
        });
        second.run('INSERT INTO c VALUES (2)');
        expect(count(first)).toBe(2);
      });
    });

    describe('closing', () => {
      it('closes once; closing again does nothing; use afterwards throws', () => {
        const db = open();
        expect(db.open).toBe(true);
        db.close();
        db.close();
        expect(db.open).toBe(false);
        expect(() => db.get('SELECT 1')).toThrow();
      });
    });
  });
}

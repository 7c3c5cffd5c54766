import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GroupCommit, openSqlite, type SqliteDatabase } from '../src/index.js';

const opened: SqliteDatabase[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

/** A file database with a table `t`, and a second connection to read it as another process would. */
function setup() {
  const path = join(mkdtempSync(join(tmpdir(), 'axn-group-')), 'g.db');
  const db = openSqlite(path);
  opened.push(db);
  db.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL);
    CREATE TABLE child (id INTEGER PRIMARY KEY,
      parent INTEGER REFERENCES t(id) DEFERRABLE INITIALLY DEFERRED)`);
  const reader = openSqlite(path);
  opened.push(reader);
  const count = () => (reader.get<{ n: number }>('SELECT COUNT(*) AS n FROM t') as { n: number }).n;
  return { db, reader, count, group: new GroupCommit(db) };
}

describe('GroupCommit', () => {
  it('commits the writes asked for together in one transaction, each caller with its own answer', async () => {
    const { db, group } = setup();
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        group.write(() => db.run('INSERT INTO t (id, v) VALUES (?, ?)', i, `v${i}`).changes + i),
      ),
    );
    expect(answers).toEqual(Array.from({ length: 50 }, (_, i) => 1 + i));
    expect(group.stats()).toEqual({ writes: 50, transactions: 1, retriedGroups: 0 });
  });

  it('resolves a write only once it is committed: another connection already sees it', async () => {
    const { db, group, count } = setup();
    const seen = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        group.write(() => db.run('INSERT INTO t (id, v) VALUES (?, ?)', i, 'x')).then(() => count()),
      ),
    );
    // Every caller resumed after the commit of all ten, never before its own row was there.
    expect(seen).toEqual(Array(10).fill(10));
  });

  it('writes asked for after a group has gone go into the next one', async () => {
    const { db, group } = setup();
    const first = Promise.all(
      [0, 1, 2].map((i) => group.write(() => db.run('INSERT INTO t VALUES (?, ?)', i, 'a'))),
    );
    await first;
    await Promise.all([3, 4].map((i) => group.write(() => db.run('INSERT INTO t VALUES (?, ?)', i, 'b'))));
    expect(group.stats()).toMatchObject({ writes: 5, transactions: 2 });
  });

  it('a write that fails is undone alone; the rest of its group commits', async () => {
    const { db, group, count } = setup();
    const results = await Promise.allSettled([
      group.write(() => db.run('INSERT INTO t VALUES (1, ?)', 'a')),
      group.write(() => {
        db.run('INSERT INTO t VALUES (2, ?)', 'half');
        db.run('INSERT INTO t VALUES (1, ?)', 'duplicate'); // fails: its first insert is undone too
      }),
      group.write(() => db.run('INSERT INTO t VALUES (3, ?)', 'c')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    expect(db.all('SELECT id FROM t ORDER BY id')).toEqual([{ id: 1 }, { id: 3 }]);
    expect(count()).toBe(2);
    expect(group.stats()).toEqual({ writes: 2, transactions: 1, retriedGroups: 0 });
  });

  it('a group whose commit fails is tried again write by write: only the bad write fails', async () => {
    const { db, group } = setup();
    // A deferred foreign key is checked at COMMIT: the group's commit fails because of one write.
    const results = await Promise.allSettled([
      group.write(() => db.run('INSERT INTO t VALUES (1, ?)', 'a')),
      group.write(() => db.run('INSERT INTO child VALUES (1, 999)')),
      group.write(() => db.run('INSERT INTO t VALUES (2, ?)', 'b')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
    expect(db.all('SELECT id FROM t ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
    expect(db.all('SELECT id FROM child')).toEqual([]);
    expect(db.inTransaction).toBe(false);
    expect(group.stats()).toEqual({ writes: 2, transactions: 2, retriedGroups: 1 });
  });

  it('close commits what is waiting, and refuses writes after it', async () => {
    const { db, group, count } = setup();
    const pending = group.write(() => db.run('INSERT INTO t VALUES (1, ?)', 'last'));
    group.close();
    await pending;
    expect(count()).toBe(1);
    await expect(group.write(() => 0)).rejects.toThrow(/closed/);
  });
});

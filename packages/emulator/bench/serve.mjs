// A benchmark emulator in its own process: `node serve.mjs <bindings> <numbers>` creates pool FC-BENCH
// with <numbers> X numbers (3-digit extensions), fills it with <bindings> active bindings straight
// through SQL, then serves. Prints its URL on the first line.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmulatorDatabase, startEmulator } from '../dist/index.js';

const [bindings = '0', numbers = '2000'] = process.argv.slice(2);
const file = join(mkdtempSync(join(tmpdir(), 'axn-bench-')), 'emulator.db');
const db = openEmulatorDatabase(file);
db.prepare(
  "INSERT INTO pools (key, name, city_mode, extension_length, callback_mode) VALUES ('FC-BENCH', 'bench', 'fallback', 3, 'latest-peer')",
).run();
db.prepare(
  `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
   INSERT INTO numbers (secret_no, pool_key, city) SELECT printf('171%08d', i), 'FC-BENCH', CASE i % 5 WHEN 0 THEN '北京' WHEN 1 THEN '上海' WHEN 2 THEN '广州' WHEN 3 THEN '深圳' ELSE '杭州' END FROM n`,
).run(Number(numbers));
const far = Date.now() + 30 * 86_400_000;
db.prepare(
  `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i + 1 <= ?)
   INSERT INTO bindings (id, pool_key, secret_no, extension, phone_a, expire_at, created_at, status)
   SELECT i, 'FC-BENCH', printf('171%08d', i % ?), CAST(100 + (i / ?) % 900 AS TEXT),
          printf('139%08d', i), ?, ?, 'active' FROM n`,
).run(Number(bindings), Number(numbers), Number(numbers), far, Date.now());
db.close();
const emu = await startEmulator({ db: file });
process.stdout.write(`${emu.url}\n`);
process.on('SIGTERM', () => emu.close().then(() => process.exit(0)));

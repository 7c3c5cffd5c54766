import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { startEmulator } from '../src/index.js';

it('a busy port rejects with EADDRINUSE and leaves its database closed (no -wal file held open)', async () => {
  const squatter = createServer();
  await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
  const { port } = squatter.address() as { port: number };
  const file = join(mkdtempSync(join(tmpdir(), 'axn-emu-listen-')), 'emulator.db');
  try {
    await expect(startEmulator({ db: file, port, seed: 'demo' })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
    // SQLite removes the write-ahead log when the last connection closes.
    expect(existsSync(`${file}-wal`)).toBe(false);
  } finally {
    squatter.close();
  }
});

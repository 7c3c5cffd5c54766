import { defineConfig } from 'vitest/config';

/**
 * Every package's tests in two tiers, so a contributor can run the fast one alone
 * (`npx vitest run --project unit`) while `pnpm test` and CI run both:
 * - `unit`: in-process, no sockets, no files — the table tests, grammar, renderers, property tests;
 * - `integration`: real parts on 127.0.0.1 (the emulator, SQLite, PostgreSQL, bot processes), the
 *   100k fuzz, the attacks (floods, kill -9, a faulty proxy).
 */
export function testTiers(unit: readonly string[], options: { globalSetup?: string[] } = {}) {
  const unitFiles = unit.map((name) => `test/${name}`);
  return defineConfig({
    test: {
      testTimeout: 20_000,
      ...(options.globalSetup ? { globalSetup: options.globalSetup } : {}),
      projects: [
        { extends: true, test: { name: 'unit', include: unitFiles } },
        { extends: true, test: { name: 'integration', include: ['test/**/*.test.ts'], exclude: unitFiles } },
      ],
    },
  });
}

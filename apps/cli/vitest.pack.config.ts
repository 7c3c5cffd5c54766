import { defineConfig } from 'vitest/config';

/**
 * The slow, last tier of the test command (`test:pack`): the packed packages installed with npm
 * (pack.test.ts) and the container image's deploy step without Docker (deploy.test.ts).
 */
export default defineConfig({
  test: {
    include: ['test/pack.test.ts', 'test/deploy.test.ts'],
    testTimeout: 900_000,
    hookTimeout: 60_000,
    // One after the other: both install or deploy packages, and the machine has two cores.
    fileParallelism: false,
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The packed install and the image's deploy step are slow: they run last (`test:pack`, vitest.pack.config.ts).
    exclude: ['test/pack.test.ts', 'test/deploy.test.ts', '**/node_modules/**'],
    testTimeout: 20_000,
  },
});

import { testTiers } from '../../vitest.tiers.js';

export default testTiers([
  'bind-form.test.ts',
  'blocks.test.ts',
  'http-receiver.test.ts',
  'manifest.test.ts',
]);

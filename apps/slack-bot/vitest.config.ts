import { testTiers } from '../../vitest.tiers.js';

export default testTiers(['blocks.test.ts', 'http-receiver.test.ts']);

import { testTiers } from '../../vitest.tiers.js';

export default testTiers(['parameters.test.ts']);

import { testTiers } from '../../vitest.tiers.js';

export default testTiers(['operator-access.test.ts']);

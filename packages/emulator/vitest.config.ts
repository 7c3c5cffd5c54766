import { testTiers } from '../../vitest.tiers.js';

export default testTiers(['operator-access.test.ts', 'receipt-target.test.ts', 'clock-timers.test.ts']);

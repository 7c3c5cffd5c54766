import { testTiers } from '../../vitest.tiers.js';

export default testTiers(['markdown.test.ts', 'supervisor.test.ts']);

import { testTiers } from '../../vitest.tiers.js';

export default testTiers([
  'encoding.test.ts',
  'operations.test.ts',
  'phone-field.test.ts',
  'property.test.ts',
  'query-secret-no-detail.test.ts',
  'taxonomy.test.ts',
  'vectors.test.ts',
]);

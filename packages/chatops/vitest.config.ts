import { testTiers } from '../../vitest.tiers.js';

export default testTiers(
  [
    'call-notice-relay.test.ts',
    'call-summary.test.ts',
    'field-rules.test.ts',
    'grammar.test.ts',
    'one-voice.test.ts',
    'parse-errors.test.ts',
    'phone.test.ts',
    'phrases.test.ts',
    'receipt-records.test.ts',
  ],
  { globalSetup: ['test/postgres-teardown.ts'] },
);

import OpenApiUtilModule from '@alicloud/openapi-util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signAcs3, signRpcV2 } from '../src/index.js';

// The package is CommonJS with `exports.default = Client`; how ESM sees that depends on the loader.
type OpenApiUtilClass = typeof OpenApiUtilModule.default;
const OpenApiUtil: OpenApiUtilClass =
  (OpenApiUtilModule as unknown as { default?: OpenApiUtilClass }).default ??
  (OpenApiUtilModule as unknown as OpenApiUtilClass);

/** Parameter names as APIs use them; values are any well-formed Unicode, empty included. */
const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,15}$/);
const value = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 24 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constant(''),
);
const params = fc.dictionary(name, value, { minKeys: 1, maxKeys: 14, noNullPrototype: true });
const secret = fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 30 });
const method = fc.constantFrom('GET' as const, 'POST' as const);

describe('signers agree with the official @alicloud/openapi-util', () => {
  it('signRpcV2 equals getRPCSignature on 1,000 random parameter sets', () => {
    fc.assert(
      fc.property(params, method, secret, (p, m, s) => {
        expect(signRpcV2(p, m, s).signature).toBe(OpenApiUtil.getRPCSignature(p, m, s));
      }),
      { numRuns: 1000 },
    );
  });

  it('signAcs3 equals getAuthorization on 1,000 random requests', () => {
    fc.assert(
      fc.property(
        params,
        method,
        secret,
        fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 32, maxLength: 32 }),
        (query, m, s, nonce) => {
          const headers = {
            host: 'dyplsapi.aliyuncs.com',
            'x-acs-action': 'BindAxnExtension',
            'x-acs-version': '2017-05-25',
            'x-acs-date': '2026-11-28T12:00:00Z',
            'x-acs-signature-nonce': nonce,
            'x-acs-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
            'user-agent': 'not signed',
          };
          const ours = signAcs3({ method: m, query, headers }, 'testid', s).authorization;
          const theirs = OpenApiUtil.getAuthorization(
            { pathname: '/', method: m, query, headers } as never,
            'ACS3-HMAC-SHA256',
            'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
            'testid',
            s,
          );
          expect(ours).toBe(theirs);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

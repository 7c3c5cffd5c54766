import { z } from 'zod';
import { envelope, poolKey, put, secretNumber } from './fields.js';
import { defineOperation } from './operation.js';

/** The carrier an X number belongs to (`Vendor` 1, 2, 3). */
export type SecretNoVendor = 'china-mobile' | 'china-unicom' | 'china-telecom';
/** An X number's state (`SecretStatus` 0–3): bound means it carries at least one binding. */
export type SecretNoStatus = 'unbound' | 'bound' | 'locked' | 'frozen';

const VENDORS: Readonly<Record<number, SecretNoVendor>> = {
  1: 'china-mobile',
  2: 'china-unicom',
  3: 'china-telecom',
};
const STATUSES: Readonly<Record<number, SecretNoStatus>> = {
  0: 'unbound',
  1: 'bound',
  2: 'locked',
  3: 'frozen',
};

// Only the field names are in the reference (§2.10); the types and codes come from the official SDK
// models. So every field is optional, codes may arrive as numbers or digit strings, and a code this model
// does not know decodes to undefined instead of failing the answer: a caller after the city should not
// lose it to a new vendor code.
const optionalText = z
  .string()
  .nullish()
  .transform((value) => (value === null || value === undefined || value === '' ? undefined : value));
const optionalCode = z
  .union([z.number(), z.string()])
  .nullish()
  .transform((value) => (value === null || value === undefined || value === '' ? undefined : Number(value)));

function lookUp<T>(table: Readonly<Record<number, T>>, code: number | undefined): T | undefined {
  return code !== undefined && Object.hasOwn(table, code) ? table[code] : undefined;
}

/**
 * `QuerySecretNoDetail`: the attributes of one X number in a pool — where it is (`city`, `province`),
 * its carrier, whether it is bound, locked or frozen, when it was bought. The city is the one Aliyun
 * actually allocated, which differs from the `ExpectCity` asked for when the pool had none there.
 * A number that is not the account's is refused with `isv.NO_NOT_EXIST`. The answer does not echo the
 * number, so the output has no `secretNo`: the caller already holds it.
 */
export const QuerySecretNoDetail = defineOperation({
  action: 'QuerySecretNoDetail',
  effect: 'read',
  input: z.strictObject({ poolKey, secretNo: secretNumber }),
  toWire(value) {
    const wire: Record<string, string> = {};
    put(wire, 'PoolKey', value.poolKey);
    put(wire, 'SecretNo', value.secretNo);
    return wire;
  },
  output: z
    .object({
      ...envelope,
      SecretNoInfoDTO: z.object({
        PurchaseTime: optionalText,
        Vendor: optionalCode,
        Province: optionalText,
        City: optionalText,
        SecretStatus: optionalCode,
        CertifyStatus: optionalCode,
      }),
    })
    .transform(({ RequestId, SecretNoInfoDTO: d }) => ({
      requestId: RequestId,
      city: d.City,
      province: d.Province,
      vendor: lookUp(VENDORS, d.Vendor),
      secretStatus: lookUp(STATUSES, d.SecretStatus),
      /** Real-name certification done (`CertifyStatus` 1) or not (0); undefined when absent or unknown. */
      certified: d.CertifyStatus === 1 ? true : d.CertifyStatus === 0 ? false : undefined,
      /** Beijing time `yyyy-MM-dd HH:mm:ss`, as the service sends it. */
      purchaseTime: d.PurchaseTime,
    })),
});

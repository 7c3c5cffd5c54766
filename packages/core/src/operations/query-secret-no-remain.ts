import { z } from 'zod';
import { envelope, put } from './fields.js';
import { defineOperation } from './operation.js';

const amount = z.coerce.number().int();

/**
 * `QuerySecretNoRemain`: how many numbers can still be bought. `specId` 1 is virtual-operator numbers,
 * 2 carrier numbers, 3 95-numbers (city must then be `全国通用`). `city` may be `全国` or `全国列表`.
 */
export const QuerySecretNoRemain = defineOperation({
  action: 'QuerySecretNoRemain',
  effect: 'read',
  input: z
    .strictObject({
      specId: z.union([z.literal(1), z.literal(2), z.literal(3)], { message: 'must be 1, 2 or 3' }),
      city: z.string().min(1, 'must not be empty'),
      secretNo: z
        .string()
        .regex(/^\d{1,18}$/, 'must be a prefix of at most 18 digits')
        .optional(),
    })
    .refine((value) => value.specId !== 3 || value.city === '全国通用', {
      message: 'must be 全国通用 when specId is 3',
      path: ['city'],
    }),
  toWire(value) {
    const wire: Record<string, string> = {};
    put(wire, 'SpecId', value.specId);
    put(wire, 'City', value.city);
    put(wire, 'SecretNo', value.secretNo);
    return wire;
  },
  output: z
    .object({
      ...envelope,
      SecretRemainDTO: z.object({
        Amount: amount.optional(),
        City: z.string().optional(),
        RemainDTOList: z
          .object({ remainDTO: z.array(z.object({ Amount: amount, City: z.string() })).optional() })
          .optional(),
      }),
    })
    .transform((body) => ({
      requestId: body.RequestId,
      amount: body.SecretRemainDTO.Amount ?? 0,
      city: body.SecretRemainDTO.City,
      cities: (body.SecretRemainDTO.RemainDTOList?.remainDTO ?? []).map((row) => ({
        city: row.City,
        amount: row.Amount,
      })),
    })),
});

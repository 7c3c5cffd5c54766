import { z } from 'zod';
import { envelope, idString, poolOrProduct, put, secretNumber, subsId } from './fields.js';
import { defineOperation } from './operation.js';
import { requirePoolOrProduct } from './pool-or-product.js';

const optionalText = z
  .string()
  .nullish()
  .transform((value) => (value === null || value === undefined || value === '' ? undefined : value));

/** `QuerySubscriptionDetail`: the binding's full record; `status` 1 is active, 0 expired or invalid. */
export const QuerySubscriptionDetail = defineOperation({
  action: 'QuerySubscriptionDetail',
  effect: 'read',
  input: z
    .strictObject({ ...poolOrProduct, subsId, phoneNoX: secretNumber })
    .superRefine(requirePoolOrProduct),
  toWire(value) {
    const wire: Record<string, string> = {};
    put(wire, 'PoolKey', value.poolKey);
    put(wire, 'ProductType', value.productType);
    put(wire, 'SubsId', value.subsId);
    put(wire, 'PhoneNoX', value.phoneNoX);
    return wire;
  },
  output: z
    .object({
      ...envelope,
      SecretBindDetailDTO: z.object({
        SubsId: idString,
        PhoneNoA: z.string(),
        PhoneNoB: optionalText,
        PhoneNoX: z.string(),
        Extension: optionalText,
        GroupId: idString.optional(),
        Status: z.coerce.number().int(),
        NeedRecord: z.boolean().optional(),
        ASRStatus: z.boolean().optional(),
        ASRModelId: optionalText,
        GmtCreate: z.string().optional(),
        ExpireDate: z.string(),
        // The documented example carries a trailing space; the field is absent when unset.
        CallRestrict: optionalText.transform((value) => value?.trim() || undefined),
      }),
    })
    .transform(({ RequestId, SecretBindDetailDTO: d }) => ({
      requestId: RequestId,
      subsId: d.SubsId,
      phoneNoA: d.PhoneNoA,
      phoneNoB: d.PhoneNoB,
      phoneNoX: d.PhoneNoX,
      extension: d.Extension,
      groupId: d.GroupId,
      status: d.Status === 1 ? ('active' as const) : ('expired' as const),
      needRecord: d.NeedRecord ?? false,
      asrStatus: d.ASRStatus ?? false,
      asrModelId: d.ASRModelId,
      gmtCreate: d.GmtCreate,
      expireDate: d.ExpireDate,
      callRestrict: d.CallRestrict,
    })),
});

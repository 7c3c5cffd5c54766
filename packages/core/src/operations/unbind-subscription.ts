import { z } from 'zod';
import { envelope, poolOrProduct, put, secretNumber, subsId } from './fields.js';
import { defineOperation } from './operation.js';
import { requirePoolOrProduct } from './pool-or-product.js';

/** `UnbindSubscription`: ends a binding now. `subsId` must belong to `secretNo`. */
export const UnbindSubscription = defineOperation({
  action: 'UnbindSubscription',
  effect: 'write',
  input: z
    .strictObject({ ...poolOrProduct, subsId, secretNo: secretNumber })
    .superRefine(requirePoolOrProduct),
  toWire(value) {
    const wire: Record<string, string> = {};
    put(wire, 'PoolKey', value.poolKey);
    put(wire, 'ProductType', value.productType);
    put(wire, 'SubsId', value.subsId);
    put(wire, 'SecretNo', value.secretNo);
    return wire;
  },
  output: z
    .object({ ...envelope, ChargeId: z.string().optional() })
    .transform((body) => ({ requestId: body.RequestId })),
});

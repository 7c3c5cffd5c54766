import { z } from 'zod';
import { envelope, poolKey, put, secretNumber } from './fields.js';
import { defineOperation } from './operation.js';

/**
 * `QuerySubsId`: the bindings on an X number. An AXN-extension X serves many bindings, so the service
 * answers a comma-separated list; it is split here (`[]` when there is none).
 */
export const QuerySubsId = defineOperation({
  action: 'QuerySubsId',
  effect: 'read',
  input: z.strictObject({ poolKey, phoneNoX: secretNumber }),
  toWire(value) {
    const wire: Record<string, string> = {};
    put(wire, 'PoolKey', value.poolKey);
    put(wire, 'PhoneNoX', value.phoneNoX);
    return wire;
  },
  output: z
    .object({ ...envelope, SubsId: z.union([z.string(), z.number()]).nullish() })
    .transform((body) => ({
      requestId: body.RequestId,
      subsIds: String(body.SubsId ?? '')
        .split(',')
        .map((id) => id.trim())
        .filter((id) => id.length > 0),
    })),
});

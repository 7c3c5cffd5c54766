import { z } from 'zod';
import {
  beijingDateTime,
  callRestrict,
  envelope,
  expectCity,
  idString,
  outId,
  phoneNumber,
  poolKey,
  put,
  ringConfig,
  secretNumber,
} from './fields.js';
import { defineOperation } from './operation.js';

/**
 * `BindAxn`: binds A to a whole X number (no extension). Any N dialling X reaches A; A dialling X
 * reaches the default B. The response's `Extension` is meaningless for this action and is dropped.
 */
export const BindAxn = defineOperation({
  action: 'BindAxn',
  effect: 'write',
  input: z.strictObject({
    poolKey,
    phoneNoA: phoneNumber,
    expiration: beijingDateTime,
    phoneNoB: phoneNumber.optional(),
    phoneNoX: secretNumber.optional(),
    expectCity: expectCity.optional(),
    noType: z.string().optional(),
    isRecordingEnabled: z.boolean().optional(),
    outId: outId.optional(),
    outOrderId: z.string().max(255).optional(),
    callDisplayType: z.literal(1, { message: 'must be 1 (both parties see X)' }).optional(),
    ringConfig: ringConfig.optional(),
    asrStatus: z.boolean().optional(),
    asrModelId: z.string().optional(),
    callTimeout: z.int().min(5, 'must be 5–20 seconds').max(20, 'must be 5–20 seconds').optional(),
    callRestrict: callRestrict.optional(),
  }),
  toWire(value) {
    const wire: Record<string, string> = {};
    put(wire, 'PoolKey', value.poolKey);
    put(wire, 'PhoneNoA', value.phoneNoA);
    put(wire, 'Expiration', value.expiration);
    put(wire, 'PhoneNoB', value.phoneNoB);
    put(wire, 'PhoneNoX', value.phoneNoX);
    put(wire, 'ExpectCity', value.expectCity);
    put(wire, 'NoType', value.noType);
    put(wire, 'IsRecordingEnabled', value.isRecordingEnabled);
    put(wire, 'OutId', value.outId);
    put(wire, 'OutOrderId', value.outOrderId);
    put(wire, 'CallDisplayType', value.callDisplayType);
    put(wire, 'RingConfig', value.ringConfig && JSON.stringify(value.ringConfig));
    put(wire, 'ASRStatus', value.asrStatus);
    put(wire, 'ASRModelId', value.asrModelId);
    put(wire, 'CallTimeout', value.callTimeout);
    put(wire, 'CallRestrict', value.callRestrict);
    return wire;
  },
  output: z
    .object({ ...envelope, SecretBindDTO: z.object({ SubsId: idString, SecretNo: z.string() }) })
    .transform((body) => ({
      requestId: body.RequestId,
      subsId: body.SecretBindDTO.SubsId,
      secretNo: body.SecretBindDTO.SecretNo,
    })),
});

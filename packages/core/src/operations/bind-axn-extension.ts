import { z } from 'zod';
import {
  beijingDateTime,
  callRestrict,
  envelope,
  expectCity,
  extension,
  idString,
  outId,
  phoneNumber,
  poolKey,
  put,
  ringConfig,
  secretNumber,
} from './fields.js';
import { defineOperation } from './operation.js';

const input = z
  .strictObject({
    poolKey,
    phoneNoA: phoneNumber,
    expiration: beijingDateTime,
    phoneNoX: secretNumber.optional(),
    extension: extension.optional(),
    phoneNoB: phoneNumber.optional(),
    expectCity: expectCity.optional(),
    isRecordingEnabled: z.boolean().optional(),
    outId: outId.optional(),
    outOrderId: z.string().max(255).optional(),
    callDisplayType: z.literal(1, { message: 'must be 1 (both parties see X)' }).optional(),
    ringConfig: ringConfig.optional(),
    asrStatus: z.boolean().optional(),
    asrModelId: z.string().optional(),
    callRestrict: callRestrict.optional(),
  })
  .refine((value) => value.extension === undefined || value.phoneNoX !== undefined, {
    message: 'an extension can only be given together with phoneNoX',
    path: ['extension'],
  });

/**
 * `BindAxnExtension`: binds A behind a shared X number plus an extension until `expiration`
 * (Beijing time). X is picked by `expectCity` unless given; the extension is assigned unless given.
 */
export const BindAxnExtension = defineOperation({
  action: 'BindAxnExtension',
  effect: 'write',
  input,
  toWire(value) {
    const wire: Record<string, string> = {};
    put(wire, 'PoolKey', value.poolKey);
    put(wire, 'PhoneNoA', value.phoneNoA);
    put(wire, 'Expiration', value.expiration);
    put(wire, 'PhoneNoX', value.phoneNoX);
    put(wire, 'Extension', value.extension);
    put(wire, 'PhoneNoB', value.phoneNoB);
    put(wire, 'ExpectCity', value.expectCity);
    put(wire, 'IsRecordingEnabled', value.isRecordingEnabled);
    put(wire, 'OutId', value.outId);
    put(wire, 'OutOrderId', value.outOrderId);
    put(wire, 'CallDisplayType', value.callDisplayType);
    put(wire, 'RingConfig', value.ringConfig && JSON.stringify(value.ringConfig));
    put(wire, 'ASRStatus', value.asrStatus);
    put(wire, 'ASRModelId', value.asrModelId);
    put(wire, 'CallRestrict', value.callRestrict);
    return wire;
  },
  output: z
    .object({
      ...envelope,
      SecretBindDTO: z.object({ SubsId: idString, SecretNo: z.string(), Extension: z.string() }),
    })
    .transform((body) => ({
      requestId: body.RequestId,
      subsId: body.SecretBindDTO.SubsId,
      secretNo: body.SecretBindDTO.SecretNo,
      extension: body.SecretBindDTO.Extension,
    })),
});

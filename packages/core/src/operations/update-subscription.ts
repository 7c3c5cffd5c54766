import { z } from 'zod';
import {
  beijingDateTime,
  CALL_RESTRICTIONS,
  envelope,
  outId,
  phoneNumber,
  poolOrProduct,
  put,
  secretNumber,
  subsId,
} from './fields.js';
import { defineOperation } from './operation.js';
import { requirePoolOrProduct } from './pool-or-product.js';

const target = { ...poolOrProduct, subsId, phoneNoX: secretNumber };

/** Each `OperateType` with exactly the parameter it needs (reference §2.4). */
const input = z
  .discriminatedUnion(
    'operateType',
    [
      z.strictObject({ ...target, operateType: z.literal('updateNoA'), phoneNoA: phoneNumber }),
      z.strictObject({ ...target, operateType: z.literal('updateNoB'), phoneNoB: phoneNumber }),
      z.strictObject({ ...target, operateType: z.literal('updateExpire'), expiration: beijingDateTime }),
      z.strictObject({
        ...target,
        operateType: z.literal('updateAxgGroup'),
        groupId: z.string().regex(/^\d+$/, 'must be digits'),
      }),
      z.strictObject({
        ...target,
        operateType: z.literal('updateCallRestrict'),
        callRestrict: z.enum([...CALL_RESTRICTIONS, 'CONTROL_CLEAR_DISABLE'], {
          message: `must be one of ${[...CALL_RESTRICTIONS, 'CONTROL_CLEAR_DISABLE'].join(', ')}`,
        }),
      }),
      z.strictObject({
        ...target,
        operateType: z.literal('updateCallDisplayType'),
        callDisplayType: z.literal(1),
      }),
      z.strictObject({ ...target, operateType: z.literal('updateOutId'), outId }),
      z.strictObject({
        ...target,
        operateType: z.literal('updateIsRecordingEnabled'),
        isRecordingEnabled: z.boolean(),
      }),
      z
        .strictObject({
          ...target,
          operateType: z.literal('updateAsr'),
          asrStatus: z.boolean(),
          asrModelId: z.string().min(1).optional(),
        })
        .refine((value) => !value.asrStatus || value.asrModelId !== undefined, {
          message: 'is required when asrStatus is true',
          path: ['asrModelId'],
        }),
    ],
    {
      error:
        'operateType must be one of updateNoA, updateNoB, updateExpire, updateAxgGroup, updateCallRestrict, updateCallDisplayType, updateOutId, updateIsRecordingEnabled, updateAsr',
    },
  )
  .superRefine(requirePoolOrProduct);

/** Every `OperateType` the service accepts. */
export type OperateType = z.output<typeof input>['operateType'];

/** `UpdateSubscription`: changes one aspect of a live binding (an expired one answers `isv.FORBIDDEN_ACTION`). */
export const UpdateSubscription = defineOperation({
  action: 'UpdateSubscription',
  effect: 'write',
  input,
  toWire(value) {
    const wire: Record<string, string> = {};
    put(wire, 'PoolKey', value.poolKey);
    put(wire, 'ProductType', value.productType);
    put(wire, 'SubsId', value.subsId);
    put(wire, 'PhoneNoX', value.phoneNoX);
    put(wire, 'OperateType', value.operateType);
    switch (value.operateType) {
      case 'updateNoA':
        put(wire, 'PhoneNoA', value.phoneNoA);
        break;
      case 'updateNoB':
        put(wire, 'PhoneNoB', value.phoneNoB);
        break;
      case 'updateExpire':
        put(wire, 'Expiration', value.expiration);
        break;
      case 'updateAxgGroup':
        put(wire, 'GroupId', value.groupId);
        break;
      case 'updateCallRestrict':
        put(wire, 'CallRestrict', value.callRestrict);
        break;
      case 'updateCallDisplayType':
        put(wire, 'CallDisplayType', value.callDisplayType);
        break;
      case 'updateOutId':
        put(wire, 'OutId', value.outId);
        break;
      case 'updateIsRecordingEnabled':
        put(wire, 'IsRecordingEnabled', value.isRecordingEnabled);
        break;
      case 'updateAsr':
        put(wire, 'ASRStatus', value.asrStatus);
        put(wire, 'ASRModelId', value.asrModelId);
        break;
    }
    return wire;
  },
  output: z.object(envelope).transform((body) => ({ requestId: body.RequestId })),
});

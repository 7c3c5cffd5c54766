import { z } from 'zod';
import { beijingDateTime, envelope, poolOrProduct, put } from './fields.js';
import { defineOperation } from './operation.js';
import { requirePoolOrProduct } from './pool-or-product.js';

/**
 * `QueryRecordFileDownloadUrl`: a download URL (valid 2 hours) for a call's recording. `callTime` is the
 * call's start in `yyyy-MM-dd HH:mm:ss`; receipts give it in epoch ms, so convert with `formatBeijingTime`.
 */
export const QueryRecordFileDownloadUrl = defineOperation({
  action: 'QueryRecordFileDownloadUrl',
  effect: 'read',
  input: z
    .strictObject({
      ...poolOrProduct,
      callId: z.string().min(1, 'must not be empty').max(100),
      callTime: beijingDateTime,
    })
    .superRefine(requirePoolOrProduct),
  toWire(value) {
    const wire: Record<string, string> = {};
    put(wire, 'PoolKey', value.poolKey);
    put(wire, 'ProductType', value.productType);
    put(wire, 'CallId', value.callId);
    put(wire, 'CallTime', value.callTime);
    return wire;
  },
  output: z
    .object({ ...envelope, DownloadUrl: z.string().min(1) })
    .transform((body) => ({ requestId: body.RequestId, downloadUrl: body.DownloadUrl })),
});

import type { z } from 'zod';

/** Most calls need a pool key or a (legacy) product type; the service errors without either. */
export function requirePoolOrProduct(
  value: { poolKey?: string | undefined; productType?: string | undefined },
  ctx: z.RefinementCtx,
): void {
  if (value.poolKey === undefined && value.productType === undefined) {
    ctx.addIssue({ code: 'custom', message: 'is required (or give productType)', path: ['poolKey'] });
  }
}

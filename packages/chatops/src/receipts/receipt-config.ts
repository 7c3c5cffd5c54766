import { z } from 'zod';
import { readEnvSection } from '../config.js';

const schema = z.object({
  AXN_RECEIPT_TOKEN: z
    .string()
    .regex(
      /^[A-Za-z0-9._~-]{16,200}$/,
      'AXN_RECEIPT_TOKEN must be 16 to 200 URL-safe characters (letters, digits, - _ . ~), e.g. from `openssl rand -hex 24`',
    )
    .optional(),
});

/**
 * The secret of the receipt URL (`AXN_RECEIPT_TOKEN`), or nothing when receipts are not taken. Aliyun's
 * push carries no signature, so the URL configured in Aliyun's console carries this token; it is checked
 * as given (no URL encoding needed, hence the character set).
 */
export function loadReceiptToken(env: Readonly<Record<string, string | undefined>>): string | undefined {
  return readEnvSection(schema, env, (name) => name === 'AXN_RECEIPT_TOKEN').AXN_RECEIPT_TOKEN;
}

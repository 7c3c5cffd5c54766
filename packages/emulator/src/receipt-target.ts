import type { MessageType } from './receipt-types.js';

/** The placeholder in a receipt URL that each message type's name replaces. */
export const TYPE_PLACEHOLDER = '{type}';

/**
 * The types a receipt URL without {@link TYPE_PLACEHOLDER} receives. Records carry no type field, so a
 * receiver at one URL cannot tell a ringing record from a start record: such a URL keeps getting the two
 * types it always got, together in one array per call.
 */
export const SINGLE_URL_TYPES: readonly MessageType[] = ['SecretStartReport', 'SecretReport'];

/** Where receipts go, and how they are grouped into POSTs. */
export interface ReceiptTarget {
  /** True when the URL has a `{type}` placeholder: one URL, and one POST, per message type. */
  readonly perType: boolean;
  /** Whether receipts of this type are pushed at all. */
  carries(type: MessageType): boolean;
  /** The URL receipts of this type are posted to. */
  urlFor(type: MessageType): string;
  /**
   * Splits one call's receipts (in emission order) into the POSTs that carry them, in wire order: one
   * per type with a placeholder, else one for the whole call.
   */
  batches<R extends { readonly type: MessageType }>(receipts: readonly R[]): R[][];
}

// Also matched percent-encoded, as a URL library may have rewritten the braces.
const HAS_PLACEHOLDER = /\{type\}|%7Btype%7D/i;
const PLACEHOLDERS = /\{type\}|%7Btype%7D/gi;

/**
 * Reads a receipt URL such as `http://127.0.0.1:3000/aliyun/receipts/{type}?token=…`, as Aliyun's
 * console configures one URL per message type. Throws a `TypeError` unless it is an http(s) URL.
 */
export function receiptTarget(url: string): ReceiptTarget {
  const perType = HAS_PLACEHOLDER.test(url);
  const urlFor = (type: MessageType) => (perType ? url.replace(PLACEHOLDERS, type) : url);
  let parsed: URL | undefined;
  try {
    parsed = new URL(urlFor('SecretReport'));
  } catch {
    // reported below
  }
  if (parsed?.protocol !== 'http:' && parsed?.protocol !== 'https:')
    throw new TypeError('the receipt URL must be an http(s) URL');
  return {
    perType,
    carries: (type) => perType || SINGLE_URL_TYPES.includes(type),
    urlFor,
    batches(receipts) {
      if (!perType) return receipts.length === 0 ? [] : [[...receipts]];
      const byType = new Map<MessageType, (typeof receipts)[number][]>();
      for (const receipt of receipts) {
        const batch = byType.get(receipt.type);
        if (batch) batch.push(receipt);
        else byType.set(receipt.type, [receipt]);
      }
      return [...byType.values()];
    },
  };
}

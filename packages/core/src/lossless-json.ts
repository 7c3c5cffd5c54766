/**
 * Parses JSON like `JSON.parse`, except that integers too large to be exact as a JS number
 * (beyond ±2^53 − 1) come back as strings of their digits. Aliyun sends `SubsId` as a string in API
 * responses but as a bare number in receipts (`sub_id`), and a 64-bit id must never lose digits.
 *
 * Works by quoting such integer literals outside string literals before handing the text to
 * `JSON.parse`, so it is as strict as `JSON.parse` about everything else. Throws `SyntaxError` on
 * malformed input, as `JSON.parse` does.
 */
export function parseJsonLossless(text: string): unknown {
  // Fast path: no run of 16+ digits anywhere means nothing can lose precision.
  if (!LONG_DIGITS.test(text)) return JSON.parse(text);
  // Strings are matched whole (and left alone) so digits inside them are never touched.
  return JSON.parse(
    text.replace(STRING_OR_INTEGER, (token) =>
      token.charCodeAt(0) !== 0x22 && !Number.isSafeInteger(Number(token)) ? `"${token}"` : token,
    ),
  );
}

const LONG_DIGITS = /\d{16}/;
/**
 * A string literal, or a whole integer literal: not part of a fraction or an exponent, which the
 * look-behind and look-ahead rule out.
 */
const STRING_OR_INTEGER = /"(?:[^"\\]|\\.)*"|(?<![\d.eE+-])-?\d+(?![\d.eE])/g;

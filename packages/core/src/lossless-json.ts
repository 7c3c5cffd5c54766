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
  if (!/\d{16}/.test(text)) return JSON.parse(text);
  let out = '';
  let copiedUpTo = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      i = skipString(text, i);
      continue;
    }
    const startsNumber = c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39);
    if (!startsNumber) {
      i++;
      continue;
    }
    const start = i;
    i++;
    while (i < text.length && isNumberChar(text.charCodeAt(i))) i++;
    const literal = text.slice(start, i);
    if (/^-?\d+$/.test(literal) && !Number.isSafeInteger(Number(literal))) {
      out += `${text.slice(copiedUpTo, start)}"${literal}"`;
      copiedUpTo = i;
    }
  }
  return JSON.parse(out + text.slice(copiedUpTo));
}

function isNumberChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d;
}

/** Returns the index just past the string literal that opens at `start`. */
function skipString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) i += 2;
    else if (c === 0x22) return i + 1;
    else i++;
  }
  return i;
}

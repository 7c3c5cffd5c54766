/**
 * Percent-encodes a string exactly as Alibaba Cloud's signers do (RFC 3986): UTF-8 first, then every
 * byte outside `A-Z a-z 0-9 - _ . ~` becomes `%XY` with upper-case hex. A space is `%20`, never `+`,
 * and `* ! ' ( )` are encoded (unlike `encodeURIComponent`).
 *
 * Lone surrogates cannot be encoded as UTF-8; they become U+FFFD first, as `TextEncoder` does, so the
 * function never throws.
 */
export function percentEncode(value: string): string {
  // Most names and values are plain ASCII that needs no encoding at all.
  if (UNRESERVED_ONLY.test(value)) return value;
  let encoded: string;
  try {
    encoded = encodeURIComponent(value);
  } catch {
    encoded = encodeURIComponent(value.toWellFormed());
  }
  // encodeURIComponent leaves exactly these five reserved characters literal.
  return SUB_DELIMS.test(encoded)
    ? encoded.replace(SUB_DELIMS_GLOBAL, (c) => SUB_DELIM_CODES[c] as string)
    : encoded;
}

const UNRESERVED_ONLY = /^[A-Za-z0-9\-_.~]*$/;
const SUB_DELIMS = /[!'()*]/;
const SUB_DELIMS_GLOBAL = /[!'()*]/g;
const SUB_DELIM_CODES: Record<string, string> = {
  '!': '%21',
  "'": '%27',
  '(': '%28',
  ')': '%29',
  '*': '%2A',
};

/**
 * Encodes an already-canonical query string a second time, as V2's string to sign requires. Such a
 * string holds only unreserved characters, `%`, `=` and `&` — where `encodeURIComponent` and RFC 3986
 * agree — so the native function is exact here, and fast.
 */
export function encodeCanonicalQuery(query: string): string {
  return encodeURIComponent(query);
}

/** A parameter set as it is signed: names to string values, in no particular order. */
export type SignableParams = Readonly<Record<string, string>>;

/**
 * Sorts parameters by raw name (UTF-16 code-unit order, as the official SDKs do) and joins
 * `enc(name)=enc(value)` with `&`. Empty values are kept (`k=`).
 */
export function canonicalQuery(params: SignableParams, skip?: string): string {
  // The default sort compares UTF-16 code units, exactly the order the official SDKs use.
  const names = Object.keys(params).sort();
  let out = '';
  for (const name of names) {
    if (name === skip) continue;
    if (out) out += '&';
    out += `${encodeName(name)}=${percentEncode(params[name] as string)}`;
  }
  return out;
}

/** Parameter names repeat from call to call; their encodings are remembered (a bounded few). */
const encodedNames = new Map<string, string>();

function encodeName(name: string): string {
  let encoded = encodedNames.get(name);
  if (encoded === undefined) {
    encoded = percentEncode(name);
    if (encodedNames.size < 512) encodedNames.set(name, encoded);
  }
  return encoded;
}

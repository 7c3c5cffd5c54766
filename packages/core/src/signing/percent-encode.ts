/**
 * Percent-encodes a string exactly as Alibaba Cloud's signers do (RFC 3986): UTF-8 first, then every
 * byte outside `A-Z a-z 0-9 - _ . ~` becomes `%XY` with upper-case hex. A space is `%20`, never `+`,
 * and `* ! ' ( )` are encoded (unlike `encodeURIComponent`).
 *
 * Lone surrogates cannot be encoded as UTF-8; they become U+FFFD first, as `TextEncoder` does, so the
 * function never throws.
 */
export function percentEncode(value: string): string {
  let encoded: string;
  try {
    encoded = encodeURIComponent(value);
  } catch {
    encoded = encodeURIComponent(value.toWellFormed());
  }
  // encodeURIComponent leaves exactly these five reserved characters literal.
  return encoded.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** A parameter set as it is signed: names to string values, in no particular order. */
export type SignableParams = Readonly<Record<string, string>>;

/**
 * Sorts parameters by raw name (UTF-16 code-unit order, as the official SDKs do) and joins
 * `enc(name)=enc(value)` with `&`. Empty values are kept (`k=`).
 */
export function canonicalQuery(params: SignableParams, skip?: string): string {
  const names = Object.keys(params)
    .filter((name) => name !== skip)
    .sort(compareCodeUnits);
  let out = '';
  for (const name of names) {
    if (out) out += '&';
    out += `${percentEncode(name)}=${percentEncode(params[name] as string)}`;
  }
  return out;
}

/** Plain code-unit comparison; `Array.prototype.sort`'s default, made explicit for readers. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

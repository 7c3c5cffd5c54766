import { createSecretKey, type KeyObject } from 'node:crypto';

/**
 * HMAC keys, prepared once per secret: a KeyObject spares each signature the key set-up. A client uses
 * one or two secrets, so the cache stays tiny; it is bounded anyway, and holds nothing the process did
 * not already hold.
 */
const keys = new Map<string, KeyObject>();

export function hmacKey(secret: string): KeyObject {
  let key = keys.get(secret);
  if (key === undefined) {
    if (keys.size >= 16) keys.clear();
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    keys.set(secret, key);
  }
  return key;
}

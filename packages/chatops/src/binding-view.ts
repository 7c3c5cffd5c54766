import { randomBytes } from 'node:crypto';
import type { BindingRecord } from './ledger/ledger.js';
import type { BindingView } from './replies.js';

const BASE32 = 'abcdefghijkmnpqrstuvwxyz23456789';

/** A short, unambiguous reference such as `axn-k3v9q2mtdx` (also the default OutId). */
export function randomRef(): string {
  const bytes = randomBytes(10);
  let ref = 'axn-';
  for (const byte of bytes) ref += BASE32[byte % BASE32.length];
  return ref;
}

/** What a reply may show of a ledger record. */
export function toView(record: BindingRecord): BindingView {
  return {
    ref: record.ref,
    subsId: record.subsId,
    secretNo: record.secretNo,
    extension: record.extension,
    phoneMasked: record.phoneMasked,
    city: record.city,
    poolKey: record.poolKey,
    expiresAt: record.expiresAt,
    recording: record.recording,
    status: record.status,
    boundBy: record.userName,
    endedAt:
      record.status === 'unbound'
        ? record.updatedAt
        : record.status === 'expired'
          ? Math.min(record.expiresAt, record.updatedAt)
          : null,
    endedBy: record.status === 'unbound' ? record.endedBy : null,
    requestId: record.requestId,
  };
}

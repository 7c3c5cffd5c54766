import {
  type DyplsClient,
  formatBeijingTime,
  QuerySubscriptionDetail,
  QuerySubsId,
  UnbindSubscription,
} from '@axnbot/core';
import type { BindingRecord, Ledger } from './ledger/ledger.js';
import type { PhoneHasher } from './phone-hash.js';

/** How many X numbers one search looks through at most (each costs a QuerySubsId). */
const SEARCH_NUMBER_LIMIT = 200;

/** A binding the service holds for an intent, found by {@link Reconciler.find}. */
export interface FoundBinding {
  readonly subsId: string;
  readonly secretNo: string;
  readonly extension: string | null;
  readonly status: 'active' | 'expired';
  readonly requestId: string;
}

/**
 * Finds out what the service really did with a bind whose answer was lost (a timeout, a dropped
 * connection, a server error after the request arrived, a process that died mid-call).
 *
 * The service has no look-up by A, so the search asks every X this ledger has seen in the pool for its
 * bindings (QuerySubsId) and compares each one the ledger does not know by A's HMAC and the exact expiry
 * the intent asked for (QuerySubscriptionDetail). An intent's expiry is to the second, so the pair
 * (A, expiry) singles out the binding(s) this intent made; a binding of the same A made elsewhere with
 * another expiry is never taken for it.
 */
export class Reconciler {
  constructor(
    private readonly deps: {
      readonly client: DyplsClient;
      readonly ledger: Ledger;
      readonly hasher: PhoneHasher;
    },
  ) {}

  /**
   * The service's bindings made for `intent` that the ledger does not know yet, newest first.
   * `alsoOn` adds X numbers to search (one the ledger has not recorded yet, such as a re-bind's X).
   */
  async find(intent: BindingRecord, alsoOn: readonly string[] = []): Promise<FoundBinding[]> {
    const { client, ledger, hasher } = this.deps;
    const numbers = new Set<string>([...(intent.secretNo ? [intent.secretNo] : []), ...alsoOn]);
    for (const number of await ledger.knownSecretNumbers(intent.poolKey)) numbers.add(number);
    const expiry = formatBeijingTime(intent.expiresAt);
    const found: Array<FoundBinding & { created: string }> = [];
    for (const secretNo of [...numbers].slice(0, SEARCH_NUMBER_LIMIT)) {
      const { subsIds } = await client.call(QuerySubsId, { poolKey: intent.poolKey, phoneNoX: secretNo });
      for (const subsId of subsIds) {
        if (await ledger.bindingBySubsId(subsId)) continue;
        const detail = await client.call(QuerySubscriptionDetail, {
          poolKey: intent.poolKey,
          subsId,
          phoneNoX: secretNo,
        });
        if (detail.expireDate !== expiry) continue;
        if (!(await hasher.all(detail.phoneNoA)).includes(intent.phoneHash)) continue;
        found.push({
          subsId,
          secretNo,
          extension: detail.extension ?? null,
          status: detail.status,
          requestId: detail.requestId,
          created: detail.gmtCreate ?? '',
        });
      }
    }
    // `yyyy-MM-dd HH:mm:ss` sorts as text; the SubsId breaks ties between bindings of one second.
    found.sort((a, b) => b.created.localeCompare(a.created) || b.subsId.localeCompare(a.subsId));
    return found.map(({ created: _created, ...binding }) => binding);
  }

  /**
   * Unbinds a binding the service made twice for one intent. Answers the RequestId, or the error
   * code when the service refused (the caller audits either way).
   */
  async unbindDuplicate(
    intent: BindingRecord,
    duplicate: FoundBinding,
  ): Promise<{ result: string; requestId: string | null }> {
    try {
      const { requestId } = await this.deps.client.call(UnbindSubscription, {
        poolKey: intent.poolKey,
        subsId: duplicate.subsId,
        secretNo: duplicate.secretNo,
      });
      return { result: 'OK', requestId };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      return { result: typeof code === 'string' ? code : 'local.INTERNAL', requestId: null };
    }
  }
}

import { AxnError, BindAxnExtension, type DyplsClient, type OperationInput } from '@axnbot/core';
import type { BindingRecord } from './ledger/ledger.js';
import type { FoundBinding, Reconciler } from './reconciler.js';

/** What the service ended up holding for one bind intent. */
export type BindResult =
  | {
      readonly outcome: 'bound';
      readonly subsId: string;
      readonly secretNo: string;
      readonly extension: string | null;
      readonly requestId: string;
      /** True when the binding was found by reconciliation rather than answered by the bind itself. */
      readonly reconciled: boolean;
      /** Extra bindings the service made for this intent, each unbound again (with the result). */
      readonly duplicates: ReadonlyArray<{ binding: FoundBinding; result: string; requestId: string | null }>;
    }
  | { readonly outcome: 'unknown'; readonly failure: AxnError }
  | { readonly outcome: 'failed'; readonly failure: AxnError };

/**
 * Binds one intent so that the service holds exactly one binding for it, even when an answer is lost.
 *
 * A bind whose outcome is unknown (sent, then a timeout, a dropped connection or a server-side error) is
 * never simply sent again: the service is searched first ({@link Reconciler.find}). Found — that is the
 * binding. Not found — one more bind is sent, and afterwards the search runs again (now also on the new
 * X, and on any X the ledger learnt meanwhile), because the lost bind may have landed where the first
 * search could not see it; every extra binding it finds is unbound at once and reported, so no second
 * binding keeps routing calls to A.
 *
 * The limit: the service cannot be asked for A's bindings, only for an X's, so a lost bind on an X this
 * ledger has never seen stays invisible (a fresh ledger knows few X numbers; a working one knows the pool).
 */
export async function bindExactlyOnce(
  deps: { readonly client: Pick<DyplsClient, 'call'>; readonly reconciler: Reconciler },
  intent: BindingRecord,
  input: OperationInput<typeof BindAxnExtension>,
): Promise<BindResult> {
  const { client, reconciler } = deps;
  const first = await attempt(client, input);
  if (first.outcome !== 'unknown') return first;

  let found: FoundBinding[];
  try {
    found = await reconciler.find(intent);
  } catch {
    return first; // the search failed too: the outcome stays unknown, and `info` can look again later
  }
  if (found.length > 0) return keepFirstFound(reconciler, intent, found);

  const second = await attempt(client, input);
  // A refusal now may be caused by the lost first bind (it took the last extension, say): still unknown.
  if (second.outcome !== 'bound') return first;
  let extra: FoundBinding[] = [];
  try {
    extra = (await reconciler.find(intent, [second.secretNo])).filter((b) => b.subsId !== second.subsId);
  } catch {
    // The binding stands; a duplicate the failed search missed is found by the next reconciliation.
  }
  return { ...second, duplicates: await unbindAll(reconciler, intent, extra) };
}

async function attempt(
  client: Pick<DyplsClient, 'call'>,
  input: OperationInput<typeof BindAxnExtension>,
): Promise<BindResult> {
  try {
    const bound = await client.call(BindAxnExtension, input);
    return {
      outcome: 'bound',
      subsId: bound.subsId,
      secretNo: bound.secretNo,
      extension: bound.extension,
      requestId: bound.requestId,
      reconciled: false,
      duplicates: [],
    };
  } catch (error) {
    if (!(error instanceof AxnError)) throw error;
    return { outcome: error.code === 'local.OUTCOME_UNKNOWN' ? 'unknown' : 'failed', failure: error };
  }
}

/**
 * The result of an intent whose bindings were found on the service: the newest stands, any other is a
 * duplicate and is unbound at once.
 */
export async function keepFirstFound(
  reconciler: Reconciler,
  intent: BindingRecord,
  found: readonly [FoundBinding, ...FoundBinding[]] | readonly FoundBinding[],
): Promise<BindResult> {
  const [keep, ...extra] = found as [FoundBinding, ...FoundBinding[]];
  return {
    outcome: 'bound',
    subsId: keep.subsId,
    secretNo: keep.secretNo,
    extension: keep.extension,
    requestId: keep.requestId,
    reconciled: true,
    duplicates: await unbindAll(reconciler, intent, extra),
  };
}

async function unbindAll(reconciler: Reconciler, intent: BindingRecord, duplicates: readonly FoundBinding[]) {
  const results = [];
  for (const binding of duplicates) {
    results.push({ binding, ...(await reconciler.unbindDuplicate(intent, binding)) });
  }
  return results;
}

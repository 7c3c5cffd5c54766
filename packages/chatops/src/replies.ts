import type { ErrorCode } from '@axnbot/core';
import type { Locale, Verb } from './language/commands.js';
import type { PoolCityCounts } from './lifecycle/lifecycle-ledger.js';
import type { CallSummary, CallTotals } from './receipts/call-summary.js';

/** A binding as replies show it: A is only ever masked. */
export interface BindingView {
  /** axnbot's reference for the binding (also its default OutId). */
  readonly ref: string;
  readonly subsId: string | null;
  readonly secretNo: string | null;
  readonly extension: string | null;
  readonly phoneMasked: string;
  /** The city of X (the one asked for, when the service did not say). */
  readonly city: string | null;
  /** The city the user asked for, when the service had none free there and chose X elsewhere. */
  readonly cityAsked?: string;
  readonly poolKey: string;
  readonly expiresAt: number;
  readonly recording: boolean;
  readonly status: BindingStatus;
  readonly boundBy: string;
  /** When it stopped reaching A (unbound or expired), if it has. */
  readonly endedAt: number | null;
  /** Who unbound it, if someone did. */
  readonly endedBy: string | null;
  readonly requestId: string | null;
}

/** The life of a binding in the ledger. */
export type BindingStatus = 'pending' | 'active' | 'unknown' | 'unbound' | 'expired' | 'failed';

/** Why the service refused, before doing anything. */
export type DenialReason =
  | 'user-not-allowed'
  | 'channel-not-allowed'
  | 'admin-only'
  | 'rate-limited'
  | 'not-owner'
  /** A recording is fetched only by whoever made the binding, or an admin. */
  | 'not-binder';

/** One number's result in a bulk bind. */
export type BulkItem =
  | { readonly outcome: 'bound'; readonly phoneMasked: string; readonly binding: BindingView }
  | {
      readonly outcome: 'error';
      readonly phoneMasked: string;
      readonly code: ErrorCode;
      readonly message: string;
      readonly requestId?: string;
    }
  | { readonly outcome: 'outcome-unknown'; readonly phoneMasked: string; readonly ref: string };

/**
 * Everything the service answers. Front ends render it for their platform; `locale` says which
 * language the user spoke.
 */
export type Reply =
  | { readonly kind: 'bound'; readonly locale: Locale; readonly binding: BindingView }
  | { readonly kind: 'bulk'; readonly locale: Locale; readonly items: readonly BulkItem[] }
  | {
      readonly kind: 'unbound';
      readonly locale: Locale;
      readonly binding: BindingView;
      /** It had been unbound before this command (`binding.endedAt` / `endedBy` say when and by whom). */
      readonly already?: boolean;
    }
  | {
      readonly kind: 'extended';
      readonly locale: Locale;
      readonly binding: BindingView;
      readonly previousExpiresAt: number;
    }
  | {
      readonly kind: 'info';
      readonly locale: Locale;
      readonly bindings: readonly BindingView[];
      /** The latest call on each binding that had one, by the binding's `ref` (masked, like every call). */
      readonly lastCalls?: Readonly<Record<string, CallSummary>>;
    }
  | {
      readonly kind: 'list';
      readonly locale: Locale;
      readonly scope: 'mine' | 'all';
      readonly bindings: readonly BindingView[];
      readonly truncated: boolean;
    }
  | {
      /** `calls`: a binding's calls, newest first, one line each ({@link formatCallLine}). */
      readonly kind: 'calls';
      readonly locale: Locale;
      /** The binding the target named (the newest one the actor may see), when the ledger has it. */
      readonly binding: BindingView | null;
      /** The target as the reply names it: masked A, `X#ext` or the SubsId. */
      readonly target: string;
      readonly calls: readonly CallSummary[];
      /** Totals over the calls shown. */
      readonly totals: CallTotals;
      /** More calls exist than are shown. */
      readonly truncated: boolean;
    }
  | {
      /**
       * "▶ Recording": a fresh download link for a call's recording (valid two hours: `expiresAt`), for
       * the person who asked only. `link` is `null` when the call has no recording; `call` is `null` when
       * no such call is known.
       */
      readonly kind: 'recording';
      readonly locale: Locale;
      readonly callId: string;
      readonly call: CallSummary | null;
      readonly link: { readonly url: string; readonly expiresAt: number } | null;
    }
  | {
      /**
       * `pool`: the default pool city by city, as the ledger has seen it (`cities`, by name; a city of
       * `''`, last, is "any city": binds that asked for none, or X numbers whose city is not known), and — for
       * `pool <city> remain`, admins only — the numbers Aliyun has for sale there (`QuerySecretNoRemain`).
       */
      readonly kind: 'pool';
      readonly locale: Locale;
      readonly poolKey: string;
      /** The city asked about (then `cities` holds that one only). */
      readonly city?: string;
      /** Fallbacks and refusals are counted since this instant (24 hours before the reply). */
      readonly since: number;
      readonly cities: readonly PoolCityCounts[];
      readonly remain?: {
        readonly city: string;
        /** Virtual-operator numbers for sale (`SpecId` 1). */
        readonly virtual: number;
        /** Carrier numbers for sale (`SpecId` 2). */
        readonly carrier: number;
      };
    }
  | {
      /**
       * "Let it expire" (`silence`): no reminder or expiry notice for the binding's current expiry. Show it
       * in place of the reminder.
       */
      readonly kind: 'silenced';
      readonly locale: Locale;
      readonly binding: BindingView;
      /** They were silenced before this command. */
      readonly already?: boolean;
    }
  | { readonly kind: 'help'; readonly locale: Locale; readonly topic?: Verb }
  | {
      readonly kind: 'error';
      readonly locale: Locale;
      /** An Aliyun or local code; its words come from core's taxonomy. */
      readonly code: ErrorCode;
      /** For an unexpected failure: the id the operator's log carries too. */
      readonly correlationId?: string;
      /** The specific detail (the server's message, or the parser's). */
      readonly detail: string;
      readonly requestId?: string;
      /** For parse errors: the near miss and the verb's usage. */
      readonly suggestion?: string;
      readonly usage?: string;
    }
  | {
      readonly kind: 'outcome-unknown';
      readonly locale: Locale;
      readonly phoneMasked: string;
      readonly ref: string;
    }
  | {
      readonly kind: 'denied';
      readonly locale: Locale;
      readonly reason: DenialReason;
      readonly detail?: string;
    };

/** Whether a reply reports success (for exit codes and metrics). */
export function isSuccess(reply: Reply): boolean {
  if (reply.kind === 'bulk') return reply.items.every((item) => item.outcome === 'bound');
  if (reply.kind === 'recording') return reply.link !== null;
  return reply.kind !== 'error' && reply.kind !== 'denied' && reply.kind !== 'outcome-unknown';
}

/** How a binding stopped reaching A: unbound (and by whom) or expired, and when. */
export interface BindingEnd {
  readonly how: 'unbound' | 'expired';
  readonly at: number;
  readonly by: string | null;
}

/**
 * Whether a binding has ended, and how: every renderer shows an ended binding the same way (when and by
 * whom, and no dial link, no "until", no buttons). Answers `undefined` for a binding that may still
 * reach A.
 */
export function bindingEnd(view: BindingView): BindingEnd | undefined {
  if (view.endedAt === null) return undefined;
  return view.status === 'unbound'
    ? { how: 'unbound', at: view.endedAt, by: view.endedBy }
    : { how: 'expired', at: view.endedAt, by: null };
}

import { formatBeijingTime, UnbindSubscription, UpdateSubscription } from '@axnbot/core';
import { toView } from '../binding-view.js';
import type { Work } from '../delivery-runner.js';
import type { ExpiryChange, Locale, Target } from '../language/commands.js';
import type { BindingRecord } from '../ledger/ledger.js';
import { phrase } from '../phrases.js';
import type { Actor } from '../policy.js';
import type { Reply } from '../replies.js';
import type { ServiceKit } from './kit.js';
import type { BindingTargets } from './targets.js';

/** The furthest expiry allowed when the config does not say (90 days, as AXN_MAX_EXPIRES). */
const DEFAULT_MAX_EXPIRES_MS = 90 * 86_400_000;

/** `unbind` and `extend`: the changes to a live binding, by its binder or an admin. */
export class ChangeCommands {
  constructor(
    private readonly kit: ServiceKit,
    private readonly targets: BindingTargets,
  ) {}

  async unbind(target: Target, locale: Locale, actor: Actor): Promise<Work> {
    const live = await this.targets.changeableBinding(target, locale, actor, 'unbind');
    if ('reply' in live) return live;
    try {
      const result = await this.kit.deps.client.call(UnbindSubscription, {
        poolKey: live.poolKey,
        subsId: live.subsId,
        secretNo: live.secretNo,
      });
      return {
        reply: {
          kind: 'unbound',
          locale,
          binding: toView({ ...live, status: 'unbound', updatedAt: this.kit.now(), endedBy: actor.userName }),
        },
        outcomes: [
          {
            ref: live.ref,
            patch: {
              status: 'unbound',
              updatedAt: this.kit.now(),
              requestId: result.requestId,
              endedBy: actor.userName,
            },
            audit: this.kit.event(
              actor,
              'unbind',
              `${live.phoneMasked} ${live.ref} SubsId ${live.subsId}`,
              'OK',
              result.requestId,
            ),
          },
        ],
      };
    } catch (error) {
      return this.targets.changeFailed(error, live, 'unbind', actor, locale);
    }
  }

  async extend(target: Target, change: ExpiryChange, locale: Locale, actor: Actor): Promise<Work> {
    const live = await this.targets.changeableBinding(target, locale, actor, 'extend');
    if ('reply' in live) return live;
    // A duration adds to the expiry the binding has now (so a stale card or a repeated delivery cannot
    // shorten it); a time sets it, and may only bring it forward when the user said `shorten`.
    const at = Math.floor((change.kind === 'add' ? live.expiresAt + change.ms : change.at) / 1000) * 1000;
    const refusal = this.refuseExpiry(at, live, change, locale);
    if (refusal) return { reply: refusal, outcomes: [] };
    try {
      const result = await this.kit.deps.client.call(UpdateSubscription, {
        poolKey: live.poolKey,
        subsId: live.subsId,
        phoneNoX: live.secretNo,
        operateType: 'updateExpire',
        expiration: formatBeijingTime(at),
      });
      return {
        reply: {
          kind: 'extended',
          locale,
          binding: toView({ ...live, expiresAt: at, status: 'active' }),
          previousExpiresAt: live.expiresAt,
        },
        outcomes: [
          {
            ref: live.ref,
            patch: {
              expiresAt: at,
              status: 'active',
              updatedAt: this.kit.now(),
              requestId: result.requestId,
            },
            audit: this.kit.event(
              actor,
              'extend',
              `${live.phoneMasked} ${live.ref} SubsId ${live.subsId} → ${formatBeijingTime(at)}`,
              'OK',
              result.requestId,
            ),
          },
        ],
      };
    } catch (error) {
      return this.targets.changeFailed(error, live, 'extend', actor, locale);
    }
  }

  /** Why a new expiry cannot be set, or nothing when it can. */
  private refuseExpiry(
    at: number,
    live: BindingRecord,
    change: ExpiryChange,
    locale: Locale,
  ): Reply | undefined {
    const now = this.kit.now();
    const current = formatBeijingTime(live.expiresAt).slice(0, 16);
    const wanted = formatBeijingTime(at).slice(0, 16);
    const refuse = (detail: string) => ({ kind: 'error', locale, code: 'local.VALIDATION', detail }) as const;
    if (change.kind === 'set' && !change.shorten && at < live.expiresAt) {
      return refuse(phrase('service.earlierThanCurrent', locale, { at: wanted, current }));
    }
    if (at - now <= 60_000) return refuse(phrase('service.tooSoon', locale));
    const max = this.kit.deps.config.maxExpiresMs ?? DEFAULT_MAX_EXPIRES_MS;
    if (at - now > max) {
      const days = Math.round(max / 86_400_000);
      return refuse(phrase('service.beyondMax', locale, { at: wanted, days, current }));
    }
    return undefined;
  }
}

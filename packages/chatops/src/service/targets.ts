import { QuerySubscriptionDetail } from '@axnbot/core';
import { toView } from '../binding-view.js';
import type { Work } from '../delivery-runner.js';
import type { Locale, Target } from '../language/commands.js';
import { maskPhone } from '../language/phone.js';
import type { BindingRecord } from '../ledger/ledger.js';
import { phrase } from '../phrases.js';
import { type Actor, LOOKUP_MISS_BURST } from '../policy.js';
import type { Reply } from '../replies.js';
import { asAxnError, describeTarget, type ServiceKit, systemActor } from './kit.js';

/** The states in which a binding may still reach A. */
const LIVE: BindingRecord['status'][] = ['active', 'unknown', 'pending'];

/**
 * Finding the binding a command names, as the actor may see it, and keeping the ledger in step with
 * the service about it (reconciling unknown outcomes, noticing expiry and unbinds made elsewhere).
 */
export class BindingTargets {
  constructor(private readonly kit: ServiceKit) {}

  /**
   * The live binding a target names, if this actor may change it and its SubsId and X are known
   * (reconciling an unknown outcome first); otherwise the reply that says why not.
   */
  async changeableBinding(
    target: Target,
    locale: Locale,
    actor: Actor,
    verb: 'unbind' | 'extend' | 'silence',
  ): Promise<(BindingRecord & { subsId: string; secretNo: string }) | Work> {
    const record = await this.resolveOne(target, locale, actor, verb);
    if ('kind' in record) return { reply: record, outcomes: [] };
    if (!this.mayChange(record, actor)) {
      return { reply: await this.kit.deny(actor, locale, 'not-owner', verb, record.ref), outcomes: [] };
    }
    const live = await this.ensureKnown(record);
    if (!live.subsId || !live.secretNo) {
      return {
        reply: this.kit.notFound(
          locale,
          `${live.phoneMasked}${phrase('punct.aside', locale, { text: live.ref })}`,
        ),
        outcomes: [],
      };
    }
    return { ...live, subsId: live.subsId, secretNo: live.secretNo };
  }

  /** The one binding a target names: the newest live one the actor may see. */
  async resolveOne(
    target: Target,
    locale: Locale,
    actor: Actor,
    verb: 'unbind' | 'extend' | 'silence',
  ): Promise<BindingRecord | Reply> {
    const records = await this.lookUp(target, locale, actor, verb);
    if (!Array.isArray(records)) return records;
    const now = this.kit.now();
    const live = records.filter((record) => LIVE.includes(record.status) && record.expiresAt > now);
    if (live.length === 0) {
      // Unbinding what was unbound already says so (when, by whom) rather than "no binding".
      const ended = records.find((record) => record.status === 'unbound');
      if (ended && verb === 'unbind')
        return { kind: 'unbound', locale, binding: toView(ended), already: true };
      return this.kit.notFound(locale, describeTarget(target, locale));
    }
    if (live.length > 1 && target.kind === 'phone') {
      const ids = live.map((record) => record.subsId ?? record.ref).join(', ');
      return {
        kind: 'error',
        locale,
        code: 'local.VALIDATION',
        detail: phrase('service.severalLive', locale, {
          phone: maskPhone(target.phone),
          count: live.length,
          ids,
        }),
      };
    }
    return live[0] as BindingRecord;
  }

  /**
   * The bindings a target names that the actor may see: their own, those made in this channel (it saw
   * the reply already), or all for an admin. Someone else's binding elsewhere answers exactly as no
   * binding does, so a look-up cannot tell whether a guessed number is bound.
   *
   * A look-up by full number is how the hidden digits of a masked number would be guessed, so it counts
   * against the user's rate limit, is audited, and a burst of misses refuses further ones for a minute
   * and alerts the operator.
   */
  async lookUp(
    target: Target,
    locale: Locale,
    actor: Actor,
    verb: 'info' | 'unbind' | 'extend' | 'calls' | 'silence',
  ): Promise<BindingRecord[] | Reply> {
    const byPhone = target.kind === 'phone';
    const masked = describeTarget(target, locale);
    if (byPhone && (this.kit.policy.lookupsBlocked(actor) || !(await this.kit.policy.takeBinds(actor, 1)))) {
      return this.kit.deny(actor, locale, 'rate-limited', verb, masked);
    }
    const records = (await this.resolveAll(target)).filter((record) => this.maySee(record, actor));
    if (byPhone) {
      await this.kit.audit(
        actor,
        `look-up:${verb}`,
        masked,
        records.length > 0 ? 'OK' : 'local.NOT_FOUND',
        null,
      );
      if (records.length === 0 && this.kit.policy.recordMiss(actor)) {
        this.kit.logger.warn(
          'a burst of look-ups by full number found nothing: someone may be guessing numbers',
          {
            platform: actor.platform,
            userId: actor.userId,
            channelId: actor.channelId,
            misses: LOOKUP_MISS_BURST,
          },
        );
      }
    }
    if (records.length === 0) return this.kit.notFound(locale, masked);
    return records;
  }

  maySee(record: BindingRecord, actor: Actor): boolean {
    return (
      this.mayChange(record, actor) ||
      (record.platform === actor.platform && record.channelId === actor.channelId)
    );
  }

  async resolveAll(target: Target): Promise<BindingRecord[]> {
    const { ledger } = this.kit.deps;
    switch (target.kind) {
      case 'subsId': {
        const record = await ledger.bindingBySubsId(target.subsId);
        return record ? [record] : [];
      }
      case 'phone': {
        const found = await Promise.all(
          (await this.kit.hasher.all(target.phone)).map((hash) => ledger.bindingsByPhoneHash(hash)),
        );
        return found.flat().sort((a, b) => b.createdAt - a.createdAt);
      }
      case 'slot':
        return ledger.bindingsBySlot(target.secretNo, target.extension);
    }
  }

  mayChange(record: BindingRecord, actor: Actor): boolean {
    return (
      (record.platform === actor.platform && record.userId === actor.userId) || this.kit.policy.isAdmin(actor)
    );
  }

  /** Checks one binding against the service and brings the ledger in step with what it says. */
  async refresh(record: BindingRecord, actor: Actor): Promise<BindingRecord> {
    const known = await this.ensureKnown(record);
    if (!known.subsId || !known.secretNo || (known.status !== 'active' && known.status !== 'pending'))
      return known;
    try {
      const detail = await this.kit.deps.client.call(QuerySubscriptionDetail, {
        poolKey: known.poolKey,
        subsId: known.subsId,
        phoneNoX: known.secretNo,
      });
      if (detail.status === 'expired') return this.mark(known, 'expired', actor);
      return known;
    } catch (error) {
      const failure = asAxnError(error);
      if (failure.code === 'isv.SUBS_NOT_EXIST')
        return this.mark(known, known.expiresAt <= this.kit.now() ? 'expired' : 'unbound', actor);
      throw failure;
    }
  }

  /**
   * For a binding of unknown outcome, looks for it with the service ({@link Reconciler.find}). Found:
   * the record becomes active (or expired). Not found: it stays as it is.
   */
  async ensureKnown(record: BindingRecord): Promise<BindingRecord> {
    if (record.status !== 'unknown' && record.status !== 'pending') return record;
    if (record.subsId) return record;
    const [found] = await this.kit.reconciler.find(record);
    if (!found) return record;
    const patch = {
      subsId: found.subsId,
      secretNo: found.secretNo,
      extension: found.extension,
      status: found.status,
      requestId: found.requestId,
      updatedAt: this.kit.now(),
    };
    await this.kit.deps.ledger.updateBinding(
      record.ref,
      patch,
      this.kit.event(
        systemActor,
        'reconcile',
        `${record.phoneMasked} ${record.ref} SubsId ${found.subsId}`,
        'OK',
        found.requestId,
      ),
    );
    return { ...record, ...patch };
  }

  async mark(record: BindingRecord, status: 'expired' | 'unbound', actor: Actor): Promise<BindingRecord> {
    await this.kit.deps.ledger.updateBinding(
      record.ref,
      { status, updatedAt: this.kit.now() },
      this.kit.event(actor, 'reconcile', `${record.phoneMasked} ${record.ref} → ${status}`, 'OK', null),
    );
    return { ...record, status };
  }

  changeFailed(error: unknown, record: BindingRecord, action: string, actor: Actor, locale: Locale): Work {
    const failure = asAxnError(error);
    // The service says the binding is gone or expired: the ledger learns it too.
    const gone = failure.code === 'isv.SUBS_NOT_EXIST' || failure.code === 'isv.FORBIDDEN_ACTION';
    const status =
      record.expiresAt <= this.kit.now() || failure.code === 'isv.FORBIDDEN_ACTION' ? 'expired' : 'unbound';
    return {
      reply: this.kit.errorReply(failure, locale),
      outcomes: [
        {
          ref: record.ref,
          patch: gone ? { status, updatedAt: this.kit.now() } : {},
          audit: this.kit.event(
            actor,
            action,
            `${record.phoneMasked} ${record.ref}`,
            failure.code,
            failure.requestId ?? null,
            failure.message,
          ),
        },
      ],
    };
  }
}

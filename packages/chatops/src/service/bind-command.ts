import { AxnError, formatBeijingTime } from '@axnbot/core';
import { type BindResult, bindExactlyOnce, keepFirstFound } from '../bind-exactly-once.js';
import { toView } from '../binding-view.js';
import type { Work } from '../delivery-runner.js';
import type { Command, Locale, StateChange } from '../language/commands.js';
import { maskPhone } from '../language/phone.js';
import type { BindingOutcome, BindingRecord } from '../ledger/ledger.js';
import { recordPoolEvent } from '../lifecycle/lifecycle-commands.js';
import type { Actor } from '../policy.js';
import type { FoundBinding } from '../reconciler.js';
import type { BulkItem } from '../replies.js';
import { scrubPhones } from '../scrub.js';
import { type ServiceKit, systemActor } from './kit.js';

/** A number about to be bound, and its pending ledger record. */
export interface Intent {
  readonly phone: string;
  readonly record: BindingRecord;
}

/** Binds in flight at once for one bulk command (the client's QPS limit still applies). */
const BULK_CONCURRENCY = 8;

/** The ledger's idempotency key of a delivery: its platform and the platform's own key. */
export function deliveryKey(actor: Actor): string {
  return `${actor.platform}:${actor.idempotencyKey}`;
}

/** `bind`: one number or many, each exactly once, with the real city of its X. */
export class BindCommand {
  constructor(private readonly kit: ServiceKit) {}

  async bind(
    command: Extract<Command, { verb: 'bind' }>,
    intents: readonly Intent[],
    actor: Actor,
  ): Promise<Work> {
    const { locale } = command;
    const results: Array<{ item: BulkItem; outcome: BindingOutcome }> = new Array(intents.length);
    let next = 0;
    const worker = async () => {
      while (next < intents.length) {
        const index = next++;
        results[index] = await this.bindOne(intents[index] as Intent, command, actor);
      }
    };
    await Promise.all(Array.from({ length: Math.min(BULK_CONCURRENCY, intents.length) }, worker));
    return bindWork(locale, results);
  }

  /** The pending ledger record of one number about to be bound (A itself only ever hashed and masked). */
  async intent(phone: string, command: Extract<Command, { verb: 'bind' }>, actor: Actor): Promise<Intent> {
    const { config } = this.kit.deps;
    const { options } = command;
    const now = this.kit.now();
    const ref = this.kit.newRef();
    return {
      phone,
      record: {
        ref,
        subsId: null,
        secretNo: options.secretNo ?? null,
        extension: options.extension ?? null,
        phoneMasked: maskPhone(phone),
        phoneHash: await this.kit.hasher.current(phone),
        poolKey: options.poolKey ?? config.poolKey,
        city: options.city ?? config.defaultCity ?? null,
        expiresAt: Math.floor(options.expiresAt / 1000) * 1000,
        recording: options.record ?? false,
        outId: options.outId ?? ref,
        status: 'pending',
        platform: actor.platform,
        userId: actor.userId,
        userName: actor.userName,
        channelId: actor.channelId,
        createdAt: now,
        updatedAt: now,
        requestId: null,
        deliveryKey: deliveryKey(actor),
        endedBy: null,
        // The binder's language: the binding's calls are posted in it.
        locale: command.locale,
        messageRef: null,
      },
    };
  }

  /** Binds one number; answers its result and the ledger change to commit with the reply. */
  async bindOne(
    { phone, record }: Intent,
    command: Extract<Command, { verb: 'bind' }>,
    actor: Actor,
  ): Promise<{ item: BulkItem; outcome: BindingOutcome }> {
    const { options } = command;
    const result = await bindExactlyOnce(
      { client: this.kit.deps.client, reconciler: this.kit.reconciler },
      record,
      {
        poolKey: record.poolKey,
        phoneNoA: phone,
        expiration: formatBeijingTime(record.expiresAt),
        expectCity: record.city ?? undefined,
        phoneNoX: options.secretNo,
        extension: options.extension,
        phoneNoB: options.phoneB,
        isRecordingEnabled: options.record,
        outId: record.outId ?? record.ref,
      },
    );
    return this.settle(record, result, actor);
  }

  /** The reply item and ledger change for what a bind intent ended as; extra bindings are audited now. */
  async settle(
    record: BindingRecord,
    result: BindResult,
    actor: Actor,
  ): Promise<{ item: BulkItem; outcome: BindingOutcome }> {
    const { phoneMasked } = record;
    if (result.outcome === 'bound') {
      for (const duplicate of result.duplicates) {
        // Audited as it happens: the extra binding is gone from the service whatever happens next.
        await this.kit.deps.ledger.recordAudit(
          this.kit.event(
            systemActor,
            'unbind-duplicate',
            `${phoneMasked} ${record.ref} SubsId ${duplicate.binding.subsId}`,
            duplicate.result,
            duplicate.requestId,
          ),
        );
      }
      // The service falls back to another city when the pool has none free in the one asked for: the
      // reply and the ledger say where the number really is.
      const city = (await this.kit.cities.cityOf(record.poolKey, result.secretNo)) ?? record.city;
      const patch = {
        subsId: result.subsId,
        secretNo: result.secretNo,
        extension: result.extension,
        city,
        status: 'active' as const,
        requestId: result.requestId,
        updatedAt: this.kit.now(),
      };
      const asked = record.city !== null && city !== record.city ? { cityAsked: record.city } : {};
      // Pool health: a bind that asked for a city and landed elsewhere counts against that city.
      if (asked.cityAsked !== undefined) {
        await recordPoolEvent(this.kit, {
          ref: record.ref,
          poolKey: record.poolKey,
          city: asked.cityAsked,
          kind: 'fallback',
          landedCity: city,
          at: this.kit.now(),
        });
      }
      const audit = this.kit.event(
        actor,
        'bind',
        `${phoneMasked} ${record.ref} SubsId ${result.subsId}`,
        'OK',
        result.requestId,
        result.reconciled ? 'outcome was unknown; found on the service by reconciliation' : null,
      );
      return {
        item: { outcome: 'bound', phoneMasked, binding: { ...toView({ ...record, ...patch }), ...asked } },
        outcome: { ref: record.ref, patch, audit },
      };
    }
    const { failure } = result;
    const unknown = result.outcome === 'unknown';
    if (failure.code === 'isv.NO_AVAILABLE_NUMBER') {
      await recordPoolEvent(this.kit, {
        ref: record.ref,
        poolKey: record.poolKey,
        city: record.city ?? '',
        kind: 'refused',
        landedCity: null,
        at: this.kit.now(),
      });
    }
    const message = scrubPhones(failure.message);
    const outcome: BindingOutcome = {
      ref: record.ref,
      patch: {
        status: unknown ? 'unknown' : 'failed',
        requestId: failure.requestId ?? null,
        updatedAt: this.kit.now(),
      },
      audit: this.kit.event(
        actor,
        'bind',
        `${phoneMasked} ${record.ref}`,
        failure.code,
        failure.requestId ?? null,
        message,
      ),
    };
    if (unknown) return { item: { outcome: 'outcome-unknown', phoneMasked, ref: record.ref }, outcome };
    return {
      item: { outcome: 'error', phoneMasked, code: failure.code, message, requestId: failure.requestId },
      outcome,
    };
  }

  async recoverIntent(
    record: BindingRecord,
    command?: StateChange,
    actor?: Actor,
  ): Promise<{ item: BulkItem; outcome: BindingOutcome }> {
    const who = actor ?? systemActor;
    let found: FoundBinding[] | undefined;
    try {
      found = await this.kit.reconciler.find(record);
    } catch {
      found = undefined; // the service cannot be searched now: the outcome stays unknown
    }
    if (found && found.length > 0) {
      return this.settle(record, await keepFirstFound(this.kit.reconciler, record, found), who);
    }
    if (found && command?.verb === 'bind' && actor) {
      const phone = await this.phoneOf(record, command.phones);
      if (phone) return this.bindOne({ phone, record }, command, actor);
    }
    const failure = new AxnError({
      code: 'local.OUTCOME_UNKNOWN',
      message: 'The process handling this bind stopped, and the binding was not found on the service.',
    });
    return this.settle(record, { outcome: 'unknown', failure }, who);
  }

  /** Which of the command's numbers an intent was made for (matched by fingerprint). */
  async phoneOf(record: BindingRecord, phones: readonly string[]): Promise<string | undefined> {
    for (const phone of phones) {
      if ((await this.kit.hasher.all(phone)).includes(record.phoneHash)) return phone;
    }
    return undefined;
  }
}

/** The reply of a bind: one number's result, or every number's for a bulk bind. */
export function bindWork(
  locale: Locale,
  results: ReadonlyArray<{ item: BulkItem; outcome: BindingOutcome }>,
): Work {
  const items = results.map((result) => result.item);
  const outcomes = results.map((result) => result.outcome);
  if (items.length > 1) return { reply: { kind: 'bulk', locale, items }, outcomes };
  const [item] = items as [BulkItem];
  if (item.outcome === 'bound') return { reply: { kind: 'bound', locale, binding: item.binding }, outcomes };
  if (item.outcome === 'outcome-unknown') {
    return {
      reply: { kind: 'outcome-unknown', locale, phoneMasked: item.phoneMasked, ref: item.ref },
      outcomes,
    };
  }
  return {
    reply: { kind: 'error', locale, code: item.code, detail: item.message, requestId: item.requestId },
    outcomes,
  };
}

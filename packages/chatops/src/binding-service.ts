import {
  AxnError,
  type DyplsClient,
  formatBeijingTime,
  QuerySubscriptionDetail,
  UnbindSubscription,
  UpdateSubscription,
} from '@axnbot/core';
import { type BindResult, bindExactlyOnce, keepFirstFound } from './bind-exactly-once.js';
import { randomRef, toView } from './binding-view.js';
import type { ServiceConfig } from './config.js';
import { DeliveryRunner, type DeliveryTimers, systemTimers, type Work } from './delivery-runner.js';
import type { Command, ExpiryChange, Locale, ParseError, Target } from './language/commands.js';
import { maskPhone } from './language/phone.js';
import type { AuditEvent, BindingOutcome, BindingRecord, Ledger } from './ledger/ledger.js';
import { type Logger, silentLogger } from './logger.js';
import { PhoneHasher } from './phone-hash.js';
import { type Actor, LOOKUP_MISS_BURST, Policy } from './policy.js';
import { type FoundBinding, Reconciler } from './reconciler.js';
import type { BindingView, BulkItem, DenialReason, Reply } from './replies.js';
import { scrubPhones } from './scrub.js';
import { SecretNumberCities } from './secret-number-cities.js';

/** What the service is built from. Clock and reference generator are injected for exact tests. */
export interface BindingServiceDeps {
  readonly client: DyplsClient;
  readonly ledger: Ledger;
  readonly config: Pick<
    ServiceConfig,
    'poolKey' | 'defaultCity' | 'hashKey' | 'allowUsers' | 'allowChannels' | 'admins' | 'rateLimitPerMinute'
  > &
    Partial<Pick<ServiceConfig, 'locale' | 'maxExpiresMs'>>;
  readonly now?: () => number;
  readonly newRef?: () => string;
  /** Where operator alerts go (silent by default). */
  readonly logger?: Logger;
  /** How long a duplicate delivery waits for the first one's reply (default 30 s). */
  readonly duplicateWaitMs?: number;
  /** How long a delivery's claim holds without its owner's heartbeat (default 30 s). */
  readonly leaseMs?: number;
  /** Timers for leases and waits (real ones by default; the clock is `now`). */
  readonly timers?: Pick<DeliveryTimers, 'sleep' | 'every'>;
}

/** A number about to be bound, and its pending ledger record. */
interface Intent {
  readonly phone: string;
  readonly record: BindingRecord;
}

/** The furthest expiry allowed when the config does not say (90 days, as AXN_MAX_EXPIRES). */
const DEFAULT_MAX_EXPIRES_MS = 90 * 86_400_000;
/** How long a bind reply waits for its X number's city before showing the one asked for. */
const CITY_LOOKUP_MS = 2_000;
/** Binds in flight at once for one bulk command (the client's QPS limit still applies). */
const BULK_CONCURRENCY = 8;
const LIVE: BindingRecord['status'][] = ['active', 'unknown', 'pending'];

/**
 * The one place commands take effect, for every front end: policy, idempotency, the API call, the
 * ledger and the audit trail. `execute` never throws; every outcome is a {@link Reply}.
 */
export class BindingService {
  private readonly policy: Policy;
  private readonly now: () => number;
  private readonly newRef: () => string;
  private readonly reconciler: Reconciler;
  private readonly hasher: PhoneHasher;
  private readonly runner: DeliveryRunner;
  private readonly cities: SecretNumberCities;
  private readonly logger: Logger;

  constructor(private readonly deps: BindingServiceDeps) {
    this.logger = deps.logger ?? silentLogger;
    this.now = deps.now ?? Date.now;
    this.newRef = deps.newRef ?? randomRef;
    this.policy = new Policy(deps.config, this.now);
    this.hasher = new PhoneHasher(deps.config.hashKey);
    this.cities = new SecretNumberCities(deps.client, {
      timeoutMs: CITY_LOOKUP_MS,
      onError: (error, secretNo) =>
        this.logger.warn('could not look up the city of an X number', {
          secretNo,
          error: error instanceof Error ? error.message : String(error),
        }),
    });
    this.runner = new DeliveryRunner(
      deps.ledger,
      { ...systemTimers, ...deps.timers, now: this.now },
      { leaseMs: deps.leaseMs, waitMs: deps.duplicateWaitMs },
    );
    this.reconciler = new Reconciler({ client: deps.client, ledger: deps.ledger, hasher: this.hasher });
  }

  /** Whether the actor is an axnbot admin (front ends use it to offer admin-only actions). */
  isAdmin(actor: Actor): boolean {
    return this.policy.isAdmin(actor);
  }

  /** Runs a command for an actor and answers its reply. */
  async execute(command: Command | ParseError, actor: Actor): Promise<Reply> {
    return (await this.executeDelivery(command, actor)).reply;
  }

  /**
   * As {@link execute}, also telling whether this was the first delivery of its idempotency key.
   * A redelivery gets the first one's reply, and a front end should not post it a second time.
   */
  async executeDelivery(
    command: Command | ParseError,
    actor: Actor,
  ): Promise<{ reply: Reply; firstDelivery: boolean }> {
    const first = (reply: Reply) => ({ reply, firstDelivery: true });
    if ('kind' in command) {
      return first({
        kind: 'error',
        locale: command.locale,
        code: 'local.VALIDATION',
        detail: scrubPhones(command.message),
        suggestion: command.suggestion,
        usage: command.usage,
      });
    }
    const locale = command.locale;
    try {
      const denial = this.policy.checkAccess(actor);
      if (denial) return first(await this.deny(actor, locale, denial, command.verb));
      if (command.verb === 'help') return first({ kind: 'help', locale, topic: command.topic });
      if (command.verb === 'info') return first(await this.info(command.target, locale, actor));
      if (command.verb === 'list') return first(await this.list(command.scope, locale, actor));
      if (command.verb === 'bind') {
        // A redelivery replays the first delivery's reply: it must not count against the rate limit.
        if ((await this.deps.ledger.deliveryReply(deliveryKey(actor))) !== undefined) {
          return await this.deliver(command, actor, () => this.bind(command, [], actor));
        }
        // Policy first, so that a refusal claims nothing; then the intended bindings are recorded in the
        // same commit that claims the delivery.
        if (command.options.poolKey && !this.policy.isAdmin(actor)) {
          return first(await this.deny(actor, locale, 'admin-only', 'bind', 'pool='));
        }
        if (!this.policy.takeBinds(actor, command.phones.length)) {
          return first(await this.deny(actor, locale, 'rate-limited', 'bind'));
        }
        const intents = await Promise.all(command.phones.map((phone) => this.intent(phone, command, actor)));
        return await this.deliver(command, actor, () => this.bind(command, intents, actor), intents);
      }
      return await this.deliver(command, actor, () => this.change(command, actor));
    } catch (error) {
      return first(this.errorReply(error, locale));
    }
  }

  /**
   * Runs a state-changing command once per delivery key ({@link DeliveryRunner}): the first delivery
   * runs it; a redelivery (on any replica) gets its reply, or finishes it if its process died.
   */
  private async deliver(
    command: StateChange,
    actor: Actor,
    work: () => Promise<Work>,
    intents: readonly Intent[] = [],
  ): Promise<{ reply: Reply; firstDelivery: boolean }> {
    const { locale } = command;
    const result = await this.runner.run(
      deliveryKey(actor),
      () => this.guard(work, locale),
      () => this.guard(() => this.recover(deliveryKey(actor), command, actor), locale),
      intents.map((intent) => intent.record),
    );
    if (result.state === 'in-progress') {
      return {
        reply: { kind: 'error', locale, code: 'local.OUTCOME_UNKNOWN', detail: stillHandling[locale] },
        firstDelivery: false,
      };
    }
    return { reply: result.reply, firstDelivery: result.state === 'ran' };
  }

  /**
   * Finishes the deliveries left open by a process that died (their leases lapsed): each intended
   * binding is looked for on the service and recorded as found, or as unknown. Run at start-up; answers
   * how many deliveries it finished.
   */
  async recoverInterrupted(): Promise<number> {
    const locale = this.deps.config.locale ?? 'en';
    const finished = await this.runner.sweep((key) => this.guard(() => this.recover(key), locale));
    if (finished.length > 0)
      this.logger.info('finished deliveries left open by a stopped process', { count: finished.length });
    return finished.length;
  }

  /**
   * Finishes a delivery whose first process died. Its intended bindings are looked for on the service:
   * found — recorded (extras unbound); not found — bound now if the redelivered command names the number,
   * else recorded as unknown. A delivery that intended no binding (unbind, extend) is run again when its
   * command came with the redelivery; both are safe to repeat.
   */
  private async recover(key: string, command?: StateChange, actor?: Actor): Promise<Work> {
    const locale = command?.locale ?? this.deps.config.locale ?? 'en';
    const open = (await this.deps.ledger.bindingsOfDelivery(key)).filter(
      (record) => record.status === 'pending' || record.status === 'unknown',
    );
    if (open.length === 0) {
      if (command && actor && command.verb !== 'bind') return this.change(command, actor);
      return {
        reply: { kind: 'error', locale, code: 'local.OUTCOME_UNKNOWN', detail: interrupted[locale] },
        outcomes: [],
      };
    }
    const results: Array<{ item: BulkItem; outcome: BindingOutcome }> = [];
    for (const record of open) results.push(await this.recoverIntent(record, command, actor));
    return bindWork(locale, results);
  }

  private async recoverIntent(
    record: BindingRecord,
    command?: StateChange,
    actor?: Actor,
  ): Promise<{ item: BulkItem; outcome: BindingOutcome }> {
    const who = actor ?? systemActor;
    let found: FoundBinding[] | undefined;
    try {
      found = await this.reconciler.find(record);
    } catch {
      found = undefined; // the service cannot be searched now: the outcome stays unknown
    }
    if (found && found.length > 0) {
      return this.settle(record, await keepFirstFound(this.reconciler, record, found), who);
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
  private async phoneOf(record: BindingRecord, phones: readonly string[]): Promise<string | undefined> {
    for (const phone of phones) {
      if ((await this.hasher.all(phone)).includes(record.phoneHash)) return phone;
    }
    return undefined;
  }

  /** Answers a work's failure as its reply, in the user's language, instead of throwing. */
  private async guard(work: () => Promise<Work>, locale: Locale): Promise<Work> {
    try {
      return await work();
    } catch (error) {
      return { reply: this.errorReply(error, locale), outcomes: [] };
    }
  }

  private change(command: Extract<StateChange, { verb: 'unbind' | 'extend' }>, actor: Actor): Promise<Work> {
    return command.verb === 'unbind'
      ? this.unbind(command.target, command.locale, actor)
      : this.extend(command.target, command.change, command.locale, actor);
  }

  private async bind(
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
  private async intent(
    phone: string,
    command: Extract<Command, { verb: 'bind' }>,
    actor: Actor,
  ): Promise<Intent> {
    const { config } = this.deps;
    const { options } = command;
    const now = this.now();
    const ref = this.newRef();
    return {
      phone,
      record: {
        ref,
        subsId: null,
        secretNo: options.secretNo ?? null,
        extension: options.extension ?? null,
        phoneMasked: maskPhone(phone),
        phoneHash: await this.hasher.current(phone),
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
      },
    };
  }

  /** Binds one number; answers its result and the ledger change to commit with the reply. */
  private async bindOne(
    { phone, record }: Intent,
    command: Extract<Command, { verb: 'bind' }>,
    actor: Actor,
  ): Promise<{ item: BulkItem; outcome: BindingOutcome }> {
    const { options } = command;
    const result = await bindExactlyOnce({ client: this.deps.client, reconciler: this.reconciler }, record, {
      poolKey: record.poolKey,
      phoneNoA: phone,
      expiration: formatBeijingTime(record.expiresAt),
      expectCity: record.city ?? undefined,
      phoneNoX: options.secretNo,
      extension: options.extension,
      phoneNoB: options.phoneB,
      isRecordingEnabled: options.record,
      outId: record.outId ?? record.ref,
    });
    return this.settle(record, result, actor);
  }

  /** The reply item and ledger change for what a bind intent ended as; extra bindings are audited now. */
  private async settle(
    record: BindingRecord,
    result: BindResult,
    actor: Actor,
  ): Promise<{ item: BulkItem; outcome: BindingOutcome }> {
    const { phoneMasked } = record;
    if (result.outcome === 'bound') {
      for (const duplicate of result.duplicates) {
        // Audited as it happens: the extra binding is gone from the service whatever happens next.
        await this.deps.ledger.recordAudit(
          this.event(
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
      const city = (await this.cities.cityOf(record.poolKey, result.secretNo)) ?? record.city;
      const patch = {
        subsId: result.subsId,
        secretNo: result.secretNo,
        extension: result.extension,
        city,
        status: 'active' as const,
        requestId: result.requestId,
        updatedAt: this.now(),
      };
      const asked = record.city !== null && city !== record.city ? { cityAsked: record.city } : {};
      const audit = this.event(
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
    const message = scrubPhones(failure.message);
    const outcome: BindingOutcome = {
      ref: record.ref,
      patch: {
        status: unknown ? 'unknown' : 'failed',
        requestId: failure.requestId ?? null,
        updatedAt: this.now(),
      },
      audit: this.event(
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

  /**
   * The live binding a target names, if this actor may change it and its SubsId and X are known
   * (reconciling an unknown outcome first); otherwise the reply that says why not.
   */
  private async changeableBinding(
    target: Target,
    locale: Locale,
    actor: Actor,
    verb: 'unbind' | 'extend',
  ): Promise<(BindingRecord & { subsId: string; secretNo: string }) | Work> {
    const record = await this.resolveOne(target, locale, actor, verb);
    if ('kind' in record) return { reply: record, outcomes: [] };
    if (!this.mayChange(record, actor)) {
      return { reply: await this.deny(actor, locale, 'not-owner', verb, record.ref), outcomes: [] };
    }
    const live = await this.ensureKnown(record);
    if (!live.subsId || !live.secretNo) {
      return { reply: this.notFound(locale, `${live.phoneMasked} (${live.ref})`), outcomes: [] };
    }
    return { ...live, subsId: live.subsId, secretNo: live.secretNo };
  }

  private async unbind(target: Target, locale: Locale, actor: Actor): Promise<Work> {
    const live = await this.changeableBinding(target, locale, actor, 'unbind');
    if ('reply' in live) return live;
    try {
      const result = await this.deps.client.call(UnbindSubscription, {
        poolKey: live.poolKey,
        subsId: live.subsId,
        secretNo: live.secretNo,
      });
      return {
        reply: {
          kind: 'unbound',
          locale,
          binding: toView({ ...live, status: 'unbound', updatedAt: this.now(), endedBy: actor.userName }),
        },
        outcomes: [
          {
            ref: live.ref,
            patch: {
              status: 'unbound',
              updatedAt: this.now(),
              requestId: result.requestId,
              endedBy: actor.userName,
            },
            audit: this.event(
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
      return this.changeFailed(error, live, 'unbind', actor, locale);
    }
  }

  private async extend(target: Target, change: ExpiryChange, locale: Locale, actor: Actor): Promise<Work> {
    const live = await this.changeableBinding(target, locale, actor, 'extend');
    if ('reply' in live) return live;
    // A duration adds to the expiry the binding has now (so a stale card or a repeated delivery cannot
    // shorten it); a time sets it, and may only bring it forward when the user said `shorten`.
    const at = Math.floor((change.kind === 'add' ? live.expiresAt + change.ms : change.at) / 1000) * 1000;
    const refusal = this.refuseExpiry(at, live, change, locale);
    if (refusal) return { reply: refusal, outcomes: [] };
    try {
      const result = await this.deps.client.call(UpdateSubscription, {
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
            patch: { expiresAt: at, status: 'active', updatedAt: this.now(), requestId: result.requestId },
            audit: this.event(
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
      return this.changeFailed(error, live, 'extend', actor, locale);
    }
  }

  /** Why a new expiry cannot be set, or nothing when it can. */
  private refuseExpiry(
    at: number,
    live: BindingRecord,
    change: ExpiryChange,
    locale: Locale,
  ): Reply | undefined {
    const now = this.now();
    const current = `${formatBeijingTime(live.expiresAt).slice(0, 16)}`;
    const detail = (en: string, zh: string) =>
      ({ kind: 'error', locale, code: 'local.VALIDATION', detail: locale === 'zh' ? zh : en }) as const;
    if (change.kind === 'set' && !change.shorten && at < live.expiresAt) {
      return detail(
        `${formatBeijingTime(at).slice(0, 16)} is earlier than the current expiry, ${current} (Beijing); to bring it forward, add shorten.`,
        `${formatBeijingTime(at).slice(0, 16)} 早于当前过期时间 ${current}（北京时间）；如确要提前，请加上“缩短”。`,
      );
    }
    if (at - now <= 60_000) {
      return detail('The new expiry must be more than a minute from now.', '新的过期时间必须在1分钟以后。');
    }
    const max = this.deps.config.maxExpiresMs ?? DEFAULT_MAX_EXPIRES_MS;
    if (at - now > max) {
      const days = Math.round(max / 86_400_000);
      return detail(
        `That would end ${formatBeijingTime(at).slice(0, 16)}, more than ${days}d from now (the current expiry is ${current}).`,
        `延期后为 ${formatBeijingTime(at).slice(0, 16)}，超过了${days}天的上限（当前过期时间 ${current}）。`,
      );
    }
    return undefined;
  }

  /** `info`: the ledger's bindings for the target, each checked with the service and kept in step. */
  private async info(target: Target, locale: Locale, actor: Actor): Promise<Reply> {
    const records = await this.lookUp(target, locale, actor, 'info');
    if (!Array.isArray(records)) return records;
    const views: BindingView[] = [];
    for (const record of records.slice(0, 10)) views.push(toView(await this.refresh(record, actor)));
    return { kind: 'info', locale, bindings: views };
  }

  private async list(scope: 'mine' | 'all', locale: Locale, actor: Actor): Promise<Reply> {
    if (scope === 'all' && !this.policy.isAdmin(actor))
      return this.deny(actor, locale, 'admin-only', 'list', 'all');
    const limit = 50;
    const records = await this.deps.ledger.listBindings({
      owner: scope === 'mine' ? { platform: actor.platform, userId: actor.userId } : undefined,
      // Pending and unknown ones too: a binding that may exist is shown, marked, never hidden.
      statuses: ['active', 'unknown', 'pending'],
      limit,
    });
    const now = this.now();
    const live: BindingView[] = [];
    for (const record of records) {
      if (record.status === 'active' && record.expiresAt <= now) {
        await this.deps.ledger.updateBinding(record.ref, { status: 'expired', updatedAt: now });
      } else {
        live.push(toView(record));
      }
    }
    return { kind: 'list', locale, scope, bindings: live, truncated: records.length === limit };
  }

  /** Checks one binding against the service and brings the ledger in step with what it says. */
  private async refresh(record: BindingRecord, actor: Actor): Promise<BindingRecord> {
    const known = await this.ensureKnown(record);
    if (!known.subsId || !known.secretNo || (known.status !== 'active' && known.status !== 'pending'))
      return known;
    try {
      const detail = await this.deps.client.call(QuerySubscriptionDetail, {
        poolKey: known.poolKey,
        subsId: known.subsId,
        phoneNoX: known.secretNo,
      });
      if (detail.status === 'expired') return this.mark(known, 'expired', actor);
      return known;
    } catch (error) {
      const failure = asAxnError(error);
      if (failure.code === 'isv.SUBS_NOT_EXIST')
        return this.mark(known, known.expiresAt <= this.now() ? 'expired' : 'unbound', actor);
      throw failure;
    }
  }

  /**
   * For a binding of unknown outcome, looks for it with the service ({@link Reconciler.find}). Found:
   * the record becomes active (or expired). Not found: it stays as it is.
   */
  private async ensureKnown(record: BindingRecord): Promise<BindingRecord> {
    if (record.status !== 'unknown' && record.status !== 'pending') return record;
    if (record.subsId) return record;
    const [found] = await this.reconciler.find(record);
    if (!found) return record;
    const patch = {
      subsId: found.subsId,
      secretNo: found.secretNo,
      extension: found.extension,
      status: found.status,
      requestId: found.requestId,
      updatedAt: this.now(),
    };
    await this.deps.ledger.updateBinding(
      record.ref,
      patch,
      this.event(
        systemActor,
        'reconcile',
        `${record.phoneMasked} ${record.ref} SubsId ${found.subsId}`,
        'OK',
        found.requestId,
      ),
    );
    return { ...record, ...patch };
  }

  private async mark(
    record: BindingRecord,
    status: 'expired' | 'unbound',
    actor: Actor,
  ): Promise<BindingRecord> {
    await this.deps.ledger.updateBinding(
      record.ref,
      { status, updatedAt: this.now() },
      this.event(actor, 'reconcile', `${record.phoneMasked} ${record.ref} → ${status}`, 'OK', null),
    );
    return { ...record, status };
  }

  private changeFailed(
    error: unknown,
    record: BindingRecord,
    action: string,
    actor: Actor,
    locale: Locale,
  ): Work {
    const failure = asAxnError(error);
    // The service says the binding is gone or expired: the ledger learns it too.
    const gone = failure.code === 'isv.SUBS_NOT_EXIST' || failure.code === 'isv.FORBIDDEN_ACTION';
    const status =
      record.expiresAt <= this.now() || failure.code === 'isv.FORBIDDEN_ACTION' ? 'expired' : 'unbound';
    return {
      reply: this.errorReply(failure, locale),
      outcomes: [
        {
          ref: record.ref,
          patch: gone ? { status, updatedAt: this.now() } : {},
          audit: this.event(
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

  /** The one binding a target names: the newest live one the actor may see. */
  private async resolveOne(
    target: Target,
    locale: Locale,
    actor: Actor,
    verb: 'unbind' | 'extend',
  ): Promise<BindingRecord | Reply> {
    const records = await this.lookUp(target, locale, actor, verb);
    if (!Array.isArray(records)) return records;
    const now = this.now();
    const live = records.filter((record) => LIVE.includes(record.status) && record.expiresAt > now);
    if (live.length === 0) {
      // Unbinding what was unbound already says so (when, by whom) rather than "no binding".
      const ended = records.find((record) => record.status === 'unbound');
      if (ended && verb === 'unbind')
        return { kind: 'unbound', locale, binding: toView(ended), already: true };
      return this.notFound(locale, describeTarget(target));
    }
    if (live.length > 1 && target.kind === 'phone') {
      const ids = live.map((record) => record.subsId ?? record.ref).join(', ');
      return {
        kind: 'error',
        locale,
        code: 'local.VALIDATION',
        detail:
          locale === 'zh'
            ? `${maskPhone(target.phone)} 有 ${live.length} 个有效绑定，请用绑定ID指定：${ids}`
            : `${maskPhone(target.phone)} has ${live.length} live bindings; name one by SubsId: ${ids}`,
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
  private async lookUp(
    target: Target,
    locale: Locale,
    actor: Actor,
    verb: 'info' | 'unbind' | 'extend',
  ): Promise<BindingRecord[] | Reply> {
    const byPhone = target.kind === 'phone';
    const masked = describeTarget(target);
    if (byPhone && (this.policy.lookupsBlocked(actor) || !this.policy.takeBinds(actor, 1))) {
      return this.deny(actor, locale, 'rate-limited', verb, masked);
    }
    const records = (await this.resolveAll(target)).filter((record) => this.maySee(record, actor));
    if (byPhone) {
      await this.audit(actor, `look-up:${verb}`, masked, records.length > 0 ? 'OK' : 'local.NOT_FOUND', null);
      if (records.length === 0 && this.policy.recordMiss(actor)) {
        this.logger.warn(
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
    if (records.length === 0) return this.notFound(locale, masked);
    return records;
  }

  private maySee(record: BindingRecord, actor: Actor): boolean {
    return (
      this.mayChange(record, actor) ||
      (record.platform === actor.platform && record.channelId === actor.channelId)
    );
  }

  private async resolveAll(target: Target): Promise<BindingRecord[]> {
    const { ledger } = this.deps;
    switch (target.kind) {
      case 'subsId': {
        const record = await ledger.bindingBySubsId(target.subsId);
        return record ? [record] : [];
      }
      case 'phone': {
        const found = await Promise.all(
          (await this.hasher.all(target.phone)).map((hash) => ledger.bindingsByPhoneHash(hash)),
        );
        return found.flat().sort((a, b) => b.createdAt - a.createdAt);
      }
      case 'slot':
        return ledger.bindingsBySlot(target.secretNo, target.extension);
    }
  }

  private mayChange(record: BindingRecord, actor: Actor): boolean {
    return (
      (record.platform === actor.platform && record.userId === actor.userId) || this.policy.isAdmin(actor)
    );
  }

  private notFound(locale: Locale, what: string): Reply {
    return { kind: 'error', locale, code: 'local.NOT_FOUND', detail: what };
  }

  private async deny(
    actor: Actor,
    locale: Locale,
    reason: DenialReason,
    action: string,
    detail?: string,
  ): Promise<Reply> {
    await this.audit(actor, 'deny', action, `local.POLICY_DENIED:${reason}`, null, detail ?? null);
    return { kind: 'denied', locale, reason, detail };
  }

  private async audit(
    actor: Actor,
    action: string,
    target: string,
    result: string,
    requestId: string | null,
    detail: string | null = null,
  ): Promise<void> {
    await this.deps.ledger.recordAudit(this.event(actor, action, target, result, requestId, detail));
  }

  /** An audit event, stamped now. */
  private event(
    actor: Actor,
    action: string,
    target: string,
    result: string,
    requestId: string | null,
    detail: string | null = null,
  ): AuditEvent {
    return {
      at: this.now(),
      platform: actor.platform,
      userId: actor.userId,
      userName: actor.userName,
      channelId: actor.channelId,
      action,
      // Free text from servers and users: no clear number reaches the audit trail.
      target: scrubPhones(target),
      result,
      requestId,
      detail: detail === null ? null : scrubPhones(detail),
    };
  }

  private errorReply(error: unknown, locale: Locale): Reply {
    const failure = asAxnError(error);
    return {
      kind: 'error',
      locale,
      code: failure.code,
      detail: scrubPhones(failure.message),
      requestId: failure.requestId,
    };
  }
}

/** The commands that change state, and so run once per delivery. */
type StateChange = Extract<Command, { verb: 'bind' | 'unbind' | 'extend' }>;

/** The reply of a bind: one number's result, or every number's for a bulk bind. */
function bindWork(locale: Locale, results: ReadonlyArray<{ item: BulkItem; outcome: BindingOutcome }>): Work {
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

const stillHandling: Record<Locale, string> = {
  en: 'This message is still being handled; check with list in a moment.',
  zh: '这条消息仍在处理中，请稍后用“列表”查看。',
};

const interrupted: Record<Locale, string> = {
  en: 'axnbot stopped while handling this message; check the binding with info before trying again.',
  zh: 'axnbot 处理这条消息时中断，请先用“查询”确认绑定情况再重试。',
};

/** The ledger's idempotency key of a delivery: its platform and the platform's own key. */
function deliveryKey(actor: Actor): string {
  return `${actor.platform}:${actor.idempotencyKey}`;
}

/** The actor recorded for what the service does on its own (reconciliation). */
const systemActor: Actor = {
  platform: 'system',
  userId: 'axnbot',
  userName: 'axnbot',
  channelId: '-',
  idempotencyKey: '-',
};

function asAxnError(error: unknown): AxnError {
  if (error instanceof AxnError) return error;
  // A bug or a database failure: reported without internals.
  return new AxnError({
    code: 'local.INTERNAL',
    message: 'axnbot failed unexpectedly; the error was recorded.',
    cause: error,
  });
}

function describeTarget(target: Target): string {
  switch (target.kind) {
    case 'subsId':
      return `SubsId ${target.subsId}`;
    case 'phone':
      return maskPhone(target.phone);
    case 'slot':
      return `${target.secretNo}#${target.extension}`;
  }
}

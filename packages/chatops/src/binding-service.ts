import type { Work } from './delivery-runner.js';
import { DeliveryRunner, type DeliveryTimers, systemTimers } from './delivery-runner.js';
import type { Command, Locale, ParseError, StateChange } from './language/commands.js';
import type { BindingOutcome } from './ledger/ledger.js';
import { LifecycleCommands, type LifecycleSource } from './lifecycle/lifecycle-commands.js';
import { phrase } from './phrases.js';
import type { Actor } from './policy.js';
import type { CallNotice } from './receipts/call-notice.js';
import { type CallSummary, summarizeCalls } from './receipts/call-summary.js';
import type { CallEvent } from './receipts/receipt-records.js';
import { LedgerReceiptStore, type ReceiptStore } from './receipts/receipt-store.js';
import type { BulkItem, Reply } from './replies.js';
import { scrubPhones } from './scrub.js';
import { BindCommand, bindWork, deliveryKey, type Intent } from './service/bind-command.js';
import { CallCommands } from './service/call-commands.js';
import { ChangeCommands } from './service/change-commands.js';
import { type ServiceDeps, ServiceKit } from './service/kit.js';
import { ReadCommands } from './service/read-commands.js';
import { BindingTargets } from './service/targets.js';

/** What the service is built from: its parts, and the clock and timers its waits run on. */
export interface BindingServiceDeps extends ServiceDeps {
  /** How long a duplicate delivery waits for the first one's reply (default 30 s). */
  readonly duplicateWaitMs?: number;
  /** How long a delivery's claim holds without its owner's heartbeat (default 30 s). */
  readonly leaseMs?: number;
  /** Timers for leases and waits (real ones by default; the clock is `now`). */
  readonly timers?: Pick<DeliveryTimers, 'sleep' | 'every'>;
}

/**
 * The one place commands take effect, for every front end. This file dispatches: access policy, then
 * the command — reads directly, state changes once per delivery through a {@link DeliveryRunner}. The
 * commands live in `service/`. `execute` never throws; every outcome is a {@link Reply}.
 */
export class BindingService {
  private readonly kit: ServiceKit;
  private readonly runner: DeliveryRunner;
  private readonly binds: BindCommand;
  private readonly changes: ChangeCommands;
  private readonly reads: ReadCommands;
  private readonly callCommands: CallCommands;
  private readonly lifecycle: LifecycleCommands;

  constructor(deps: BindingServiceDeps) {
    this.kit = new ServiceKit(deps);
    const targets = new BindingTargets(this.kit);
    this.binds = new BindCommand(this.kit);
    this.changes = new ChangeCommands(this.kit, targets);
    this.reads = new ReadCommands(this.kit, targets);
    this.callCommands = new CallCommands(this.kit, targets);
    this.lifecycle = new LifecycleCommands(this.kit, targets);
    this.runner = new DeliveryRunner(
      deps.ledger,
      { ...systemTimers, ...deps.timers, now: this.kit.now },
      { leaseMs: deps.leaseMs, waitMs: deps.duplicateWaitMs },
    );
  }

  /**
   * The cities of the pool's X numbers the ledger has seen (each asked of Aliyun once, then cached),
   * sorted, for a front end's city choice. Answers within `budgetMs` with the cities known by then, so a
   * form that must open quickly is not held up by the first look-ups.
   */
  async knownCities(budgetMs = 1_000): Promise<string[]> {
    const { ledger, config } = this.kit.deps;
    const numbers = (await ledger.knownSecretNumbers(config.poolKey)).slice(0, 500);
    const cities = new Set<string>();
    const lookUps = Promise.all(
      numbers.map(async (number) => {
        const city = await this.kit.cities.cityOf(config.poolKey, number);
        if (city) cities.add(city);
      }),
    );
    await Promise.race([lookUps, new Promise((resolve) => setTimeout(resolve, budgetMs).unref())]);
    return [...cities].sort((a, b) => a.localeCompare(b, 'zh'));
  }

  /**
   * The binding lifecycle's work on this service's ledger, for a {@link LifecycleScheduler}: due reminders,
   * expiry notices and pool alerts, each claimed before it is sent, and how each send went.
   */
  lifecycleSource(): LifecycleSource {
    return this.lifecycle;
  }

  /**
   * "Let it expire" on a reminder: no more reminders and no expiry notice for the binding's current
   * expiry — for whoever made it or an admin, audited, once per delivery (`actor.idempotencyKey`: the
   * press's own key) as typed commands are. The reply (`silenced`, or a refusal) is shown in place of the
   * reminder; in `locale`, else the binder's language. Never throws. The same as running
   * `silence <SubsId>` (`不再提醒 <绑定ID>`), which is what the action's command text says.
   */
  async silenceReminders(actor: Actor, subsId: string, locale?: Locale): Promise<Reply> {
    const binding = await this.kit.deps.ledger.bindingBySubsId(subsId).catch(() => undefined);
    const language = locale ?? binding?.locale ?? this.kit.deps.config.locale ?? 'en';
    return this.execute({ verb: 'silence', locale: language, target: { kind: 'subsId', subsId } }, actor);
  }

  /**
   * The latest call on each of these bindings (by SubsId), for a front end that shows bindings with
   * their last call (Slack's Home tab). Masked, like every call; bindings without calls are absent.
   */
  async latestCalls(subsIds: readonly string[]): Promise<Map<string, CallSummary>> {
    const latest = new Map<string, CallSummary>();
    await Promise.all(
      subsIds.map(async (subsId) => {
        const [call] = summarizeCalls(await this.kit.deps.ledger.callEventsForBinding(subsId, 10));
        if (call) latest.set(subsId, call);
      }),
    );
    return latest;
  }

  /** Whether the actor is an axnbot admin (front ends use it to offer admin-only actions). */
  isAdmin(actor: Actor): boolean {
    return this.kit.policy.isAdmin(actor);
  }

  /**
   * Where the receipt endpoint stores call receipts ({@link createReceiptEndpoint}): this service's ledger,
   * numbers masked and fingerprinted with its key.
   */
  receiptStore(): ReceiptStore {
    return new LedgerReceiptStore({
      ledger: this.kit.deps.ledger,
      hasher: this.kit.hasher,
      now: this.kit.now,
    });
  }

  /**
   * Records where a binding's result card was posted (`BindingView.ref`; the place as opaque text: Slack
   * `channel:ts`, a DingTalk conversation id…), so its calls are posted beside it.
   */
  async setBindingMessageRef(ref: string, messageRef: string): Promise<void> {
    await this.kit.deps.ledger.setBindingMessageRef(ref, messageRef);
  }

  /**
   * What to post for a newly stored call event (the receipt endpoint's `onStored` gets them), claimed so
   * each call is posted once across replicas and restarts: the binding's place (platform, channel, binder,
   * message ref), the binder's language and the line. `undefined` when there is nothing to post: not an
   * end or recording event, already claimed, or a binding not made from a chat (its calls are stored and
   * listed by `calls`, never posted). With `platform`, a call on a binding made on another front end
   * is left for that one. Never throws for a missing binding; a ledger failure throws.
   */
  claimCallNotice(event: CallEvent, platform?: string): Promise<CallNotice | undefined> {
    return this.callCommands.claimCallNotice(event, { platform });
  }

  /**
   * The notices of end and recording events stored `ageMs` ago or earlier (default a minute) that nobody
   * claimed (their process stopped before posting, or a recording raced its call's line), claimed now.
   * A bot runs it now and then; a recording whose call never ended is let go. With `platform`, only
   * calls on bindings made on that front end are claimed ({@link claimCallNotice}).
   */
  async sweepCallNotices(ageMs = 60_000, limit = 100, platform?: string): Promise<CallNotice[]> {
    const events = await this.kit.deps.ledger.unclaimedCallEvents(this.kit.now() - ageMs, limit);
    const notices: CallNotice[] = [];
    for (const event of events) {
      const notice = await this.callCommands.claimCallNotice(event, { final: true, platform });
      if (notice) notices.push(notice);
    }
    return notices;
  }

  /**
   * "▶ Recording": a fresh download link for a call's recording, asked of Aliyun now
   * (`QueryRecordFileDownloadUrl`; links last two hours, never cached), for whoever made the binding or an
   * admin; otherwise a refusal. The reply is for the person who pressed only. In `locale`, else the
   * binder's language. Audited. Never throws.
   */
  async recordingLink(actor: Actor, callId: string, locale?: Locale): Promise<Reply> {
    try {
      return await this.callCommands.recordingLink(actor, callId, locale);
    } catch (error) {
      return this.kit.errorReply(error, locale ?? this.kit.deps.config.locale ?? 'en');
    }
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
      const denial = this.kit.policy.checkAccess(actor);
      if (denial) return first(await this.kit.deny(actor, locale, denial, command.verb));
      if (command.verb === 'help') return first({ kind: 'help', locale, topic: command.topic });
      if (command.verb === 'info') return first(await this.reads.info(command.target, locale, actor));
      if (command.verb === 'list') return first(await this.reads.list(command.scope, locale, actor));
      if (command.verb === 'calls')
        return first(await this.callCommands.calls(command.target, locale, actor));
      // "▶ Recording" sent as a command: for the asker only (the front end answers them privately).
      if (command.verb === 'recording')
        return first(await this.callCommands.recordingLink(actor, command.callId, locale));
      if (command.verb === 'pool') return first(await this.lifecycle.pool(command, actor));
      if (command.verb === 'bind') {
        // A redelivery replays the first delivery's reply: it must not count against the rate limit.
        if ((await this.kit.deps.ledger.deliveryReply(deliveryKey(actor))) !== undefined) {
          return await this.deliver(command, actor, () => this.binds.bind(command, [], actor));
        }
        // Policy first, so that a refusal claims nothing; then the intended bindings are recorded in the
        // same commit that claims the delivery.
        if (command.options.poolKey && !this.kit.policy.isAdmin(actor)) {
          return first(await this.kit.deny(actor, locale, 'admin-only', 'bind', 'pool='));
        }
        if (!(await this.kit.policy.takeBinds(actor, command.phones.length))) {
          return first(await this.kit.deny(actor, locale, 'rate-limited', 'bind'));
        }
        const intents = await Promise.all(
          command.phones.map((phone) => this.binds.intent(phone, command, actor)),
        );
        return await this.deliver(command, actor, () => this.binds.bind(command, intents, actor), intents);
      }
      return await this.deliver(command, actor, () => this.change(command, actor));
    } catch (error) {
      return first(this.kit.errorReply(error, locale));
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
        reply: {
          kind: 'error',
          locale,
          code: 'local.OUTCOME_UNKNOWN',
          detail: phrase('service.stillHandling', locale),
        },
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
    const locale = this.kit.deps.config.locale ?? 'en';
    const finished = await this.runner.sweep((key) => this.guard(() => this.recover(key), locale));
    if (finished.length > 0)
      this.kit.logger.info('finished deliveries left open by a stopped process', { count: finished.length });
    return finished.length;
  }

  /**
   * Finishes a delivery whose first process died. Its intended bindings are looked for on the service:
   * found — recorded (extras unbound); not found — bound now if the redelivered command names the number,
   * else recorded as unknown. A delivery that intended no binding (unbind, extend) is run again when its
   * command came with the redelivery; both are safe to repeat.
   */
  private async recover(key: string, command?: StateChange, actor?: Actor): Promise<Work> {
    const locale = command?.locale ?? this.kit.deps.config.locale ?? 'en';
    const open = (await this.kit.deps.ledger.bindingsOfDelivery(key)).filter(
      (record) => record.status === 'pending' || record.status === 'unknown',
    );
    if (open.length === 0) {
      if (command && actor && command.verb !== 'bind') return this.change(command, actor);
      return {
        reply: {
          kind: 'error',
          locale,
          code: 'local.OUTCOME_UNKNOWN',
          detail: phrase('service.interrupted', locale),
        },
        outcomes: [],
      };
    }
    const results: Array<{ item: BulkItem; outcome: BindingOutcome }> = [];
    for (const record of open) results.push(await this.binds.recoverIntent(record, command, actor));
    return bindWork(locale, results);
  }

  /** Answers a work's failure as its reply, in the user's language, instead of throwing. */
  private async guard(work: () => Promise<Work>, locale: Locale): Promise<Work> {
    try {
      return await work();
    } catch (error) {
      return { reply: this.kit.errorReply(error, locale), outcomes: [] };
    }
  }

  private change(
    command: Extract<StateChange, { verb: 'unbind' | 'extend' | 'silence' }>,
    actor: Actor,
  ): Promise<Work> {
    if (command.verb === 'silence') return this.lifecycle.silence(command.target, command.locale, actor);
    return command.verb === 'unbind'
      ? this.changes.unbind(command.target, command.locale, actor)
      : this.changes.extend(command.target, command.change, command.locale, actor);
  }
}

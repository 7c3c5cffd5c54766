import { type DeliveryTimers, systemTimers } from '../delivery-runner.js';
import type { Logger } from '../logger.js';
import type { LifecycleCandidate, LifecycleSource, LifecycleWorkRequest } from './lifecycle-commands.js';
import type { LifecycleConfig } from './lifecycle-config.js';
import type { LifecycleNotice, LifecycleSend } from './lifecycle-notice.js';

/** Sends of one notice before it is given up (each a tick apart). */
export const LIFECYCLE_MAX_TRIES = 5;
/** How long a claim holds without its sender's heartbeat (renewed every third of it while sending). */
export const LIFECYCLE_LEASE_MS = 120_000;

/** Options of {@link LifecycleScheduler}. */
export interface LifecycleSchedulerOptions {
  /** The binding service (its {@link BindingService.lifecycleSource}), or any {@link LifecycleSource}. */
  readonly source: LifecycleSource | { lifecycleSource(): LifecycleSource };
  /** `loadLifecycleConfig(env)`: the reminder window, the interval, the alert settings. */
  readonly config: LifecycleConfig;
  /**
   * The platforms whose bindings this process notifies (`['slack']` in the Slack bot, `['dingtalk']` in
   * the DingTalk bot): a bot only claims what it can send. Pool alerts are sent by the process whose
   * platform `config.alertChannel` names.
   */
  readonly platforms: readonly string[];
  /** Sends one notice (the front end's part); throws when it could not. */
  readonly send: LifecycleSend;
  readonly logger: Logger;
  /** Timers for the ticks and the claim's heartbeat (real ones by default; `now` is unused). */
  readonly timers?: Pick<DeliveryTimers, 'every'>;
  /** How long a claim holds without a heartbeat (default {@link LIFECYCLE_LEASE_MS}). */
  readonly leaseMs?: number;
  /** Tries before a notice is given up (default {@link LIFECYCLE_MAX_TRIES}). */
  readonly maxTries?: number;
  /** At most this many notices of each kind per tick (default 50). */
  readonly batch?: number;
}

/** What one tick did. */
export interface LifecycleTickReport {
  /** Active bindings found past their expiry and marked expired. */
  readonly marked: number;
  /** Notices sent, by kind. */
  readonly reminders: number;
  readonly expired: number;
  readonly alerts: number;
  /** Sends that failed (to be tried again), and notices given up. */
  readonly failed: number;
  readonly givenUp: number;
  /** Whether the tick stopped on a ledger failure (the next one tries again). */
  readonly broken: boolean;
}

/**
 * The binding lifecycle, run from the ledger: every `AXN_SCHEDULER_INTERVAL` it marks bindings whose expiry
 * passed as expired, and finds what is due — reminders for bindings entering the `AXN_REMIND_BEFORE`
 * window, notices for bindings that expired, alerts for pools short of numbers in a city. Each is claimed
 * in the ledger before it is sent (a conditional update one process wins, held by a lease renewed while
 * sending), so replicas on one database never send one notice twice and a restart loses none: nothing
 * lives in memory timers. Each notice goes to the front end's `send`; its answer (the message's reference)
 * is recorded, or its failure: a failed notice is tried again on a later tick, and given up — and logged —
 * after {@link LIFECYCLE_MAX_TRIES} tries. Modelled on {@link CallNoticeRelay}.
 */
export class LifecycleScheduler {
  private stopTimer: (() => void) | undefined;
  private running: Promise<LifecycleTickReport> | undefined;
  private readonly timers: Pick<DeliveryTimers, 'every'>;

  constructor(private readonly options: LifecycleSchedulerOptions) {
    this.timers = options.timers ?? systemTimers;
  }

  private get source(): LifecycleSource {
    const { source } = this.options;
    return 'lifecycleSource' in source ? source.lifecycleSource() : source;
  }

  private get leaseMs(): number {
    return this.options.leaseMs ?? LIFECYCLE_LEASE_MS;
  }

  /** Starts ticking every `config.intervalMs` (the first tick after one interval; call {@link tick} for one now). */
  start(): void {
    if (this.stopTimer) return;
    this.stopTimer = this.timers.every(this.options.config.intervalMs, () => {
      void this.tick();
    });
  }

  /** Stops ticking and waits for a tick in progress. */
  async stop(): Promise<void> {
    this.stopTimer?.();
    this.stopTimer = undefined;
    await this.running;
  }

  /** Runs one tick now; a tick asked for while one runs joins it. Never rejects. */
  tick(): Promise<LifecycleTickReport> {
    this.running ??= this.runTick().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async runTick(): Promise<LifecycleTickReport> {
    const { config, platforms, logger } = this.options;
    const counts = { marked: 0, reminders: 0, expired: 0, alerts: 0, failed: 0, givenUp: 0, broken: false };
    const request: LifecycleWorkRequest = {
      platforms,
      remindBeforeMs: config.remindBeforeMs,
      alertChannel: config.alertChannel,
      poolAlertThreshold: config.poolAlertThreshold,
      poolAlertCooldownMs: config.poolAlertCooldownMs,
      limit: this.options.batch ?? 50,
    };
    try {
      const source = this.source;
      counts.marked = await source.expireLapsedBindings(platforms, request.limit);
      for (const candidate of await source.dueLifecycleWork(request)) {
        const outcome = await this.handle(source, candidate, request);
        if (outcome === 'sent') {
          if (candidate.kind === 'reminder') counts.reminders += 1;
          else if (candidate.kind === 'expired') counts.expired += 1;
          else counts.alerts += 1;
        } else if (outcome === 'retry') counts.failed += 1;
        else if (outcome === 'given-up') {
          counts.failed += 1;
          counts.givenUp += 1;
        }
      }
    } catch (error) {
      counts.broken = true;
      logger.warn('the lifecycle tick failed; the next one tries again', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
    return counts;
  }

  /** Claims one candidate, sends its notice and records the outcome. */
  private async handle(
    source: LifecycleSource,
    candidate: LifecycleCandidate,
    request: LifecycleWorkRequest,
  ): Promise<'sent' | 'retry' | 'given-up' | 'not-mine'> {
    const notice = await source.claimLifecycleNotice(candidate, request, this.leaseMs);
    if (!notice) return 'not-mine';
    const { logger } = this.options;
    const stop = this.timers.every(Math.max(1, Math.floor(this.leaseMs / 3)), () => {
      // A failed renewal is retried on the next beat; at worst the claim lapses and is sent again.
      source.renewLifecycleNotice(notice, this.leaseMs).catch(() => {});
    });
    let messageRef: string | null;
    try {
      messageRef = (await this.options.send(notice))?.messageRef ?? null;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const outcome = await source.lifecycleNoticeFailed(
        notice,
        message,
        this.options.maxTries ?? LIFECYCLE_MAX_TRIES,
      );
      const fields = { ...describe(notice), tries: notice.attempt, error: message };
      if (outcome === 'given-up') logger.error('gave up sending a lifecycle notice', fields);
      else logger.warn('could not send a lifecycle notice; the next tick tries again', fields);
      return outcome;
    } finally {
      stop();
    }
    await source.lifecycleNoticeSent(notice, messageRef);
    logger.info('sent a lifecycle notice', describe(notice));
    return 'sent';
  }
}

/** What the log says of a notice: its kind and identity, never a number. */
function describe(notice: LifecycleNotice): Record<string, string | number> {
  if (notice.kind === 'pool-alert')
    return { kind: notice.kind, id: notice.id, poolKey: notice.poolKey, channel: notice.channel.channelId };
  return {
    kind: notice.kind,
    id: notice.id,
    subsId: notice.binding.subsId ?? '-',
    platform: notice.place.platform,
  };
}

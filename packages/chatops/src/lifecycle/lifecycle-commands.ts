import { QuerySecretNoRemain } from '@axnbot/core';
import { toView } from '../binding-view.js';
import type { Work } from '../delivery-runner.js';
import type { Command, Locale, Target } from '../language/commands.js';
import { formatDuration, relativeTime } from '../language/duration.js';
import { groupNumber } from '../language/phone.js';
import type { BindingRecord } from '../ledger/ledger.js';
import { phrase } from '../phrases.js';
import type { Actor } from '../policy.js';
import { beijingMinute } from '../render-text.js';
import type { BindingView, Reply } from '../replies.js';
import { asAxnError, type ServiceKit, systemActor } from '../service/kit.js';
import type { BindingTargets } from '../service/targets.js';
import type { AlertChannel } from './lifecycle-config.js';
import type { LifecycleLedger, LifecycleNoticeKind, PoolEvent } from './lifecycle-ledger.js';
import {
  type ExpiredNotice,
  LIFECYCLE_ACTION_IDS,
  type LifecycleAction,
  type LifecycleNotice,
  type LifecyclePlace,
  type PoolAlertNotice,
  type ReminderNotice,
} from './lifecycle-notice.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Pool events are counted over this window for alerts. */
export const POOL_ALERT_WINDOW_MS = HOUR;
/** An expired binding is noticed if it expired within this long (older ones pass silently). */
export const EXPIRY_NOTICE_HORIZON_MS = DAY;
/** A binding with no call received for this long is idle (a candidate to release). */
export const IDLE_AFTER_MS = DAY;
/** `pool` counts fallbacks and refusals over this window. */
export const POOL_REPLY_WINDOW_MS = DAY;
/** Cities one `pool` reply shows at most. */
const POOL_CITIES_SHOWN = 50;
/** Idle bindings an alert lists. */
const IDLE_LISTED = 5;

/** A piece of lifecycle work found due in the ledger, not yet claimed. */
export type LifecycleCandidate =
  | { readonly kind: 'reminder' | 'expired'; readonly ref: string; readonly expiresAt: number }
  | {
      readonly kind: 'pool-alert';
      readonly poolKey: string;
      readonly city: string;
      readonly fallbacks: number;
      readonly refusals: number;
    };

/** What to look for in one tick. */
export interface LifecycleWorkRequest {
  /** The platforms whose bindings this process serves (`['slack']` for the Slack bot). */
  readonly platforms: readonly string[];
  /** `AXN_REMIND_BEFORE` (0: no reminders). */
  readonly remindBeforeMs: number;
  /** `AXN_ALERT_CHANNEL`, when this process posts there. */
  readonly alertChannel?: AlertChannel;
  /** `AXN_POOL_ALERT_THRESHOLD`. */
  readonly poolAlertThreshold: number;
  /** `AXN_POOL_ALERT_COOLDOWN`. */
  readonly poolAlertCooldownMs: number;
  /** At most this many of each kind. */
  readonly limit: number;
}

/**
 * The service side of a {@link LifecycleScheduler}: finds due work in the ledger, claims it (a conditional
 * update one process wins), builds each notice in the right language, and records how sending went.
 * {@link BindingService.lifecycleSource} answers it.
 */
export interface LifecycleSource {
  /** Marks the served platforms' active bindings whose expiry passed as expired; answers how many. */
  expireLapsedBindings(platforms: readonly string[], limit: number): Promise<number>;
  /** What is due now: reminders, expiry notices, pool alerts (none claimed yet). */
  dueLifecycleWork(request: LifecycleWorkRequest): Promise<LifecycleCandidate[]>;
  /**
   * Claims one candidate for `leaseMs` and builds its notice; `undefined` when another process has it,
   * it is done, or it is no longer due.
   */
  claimLifecycleNotice(
    candidate: LifecycleCandidate,
    request: LifecycleWorkRequest,
    leaseMs: number,
  ): Promise<LifecycleNotice | undefined>;
  /** Extends the claim of a notice being sent. */
  renewLifecycleNotice(notice: LifecycleNotice, leaseMs: number): Promise<void>;
  /** Records a notice sent, with its message's reference. */
  lifecycleNoticeSent(notice: LifecycleNotice, messageRef: string | null): Promise<void>;
  /** Records a failed send: tried again later, or given up after `maxTries`. */
  lifecycleNoticeFailed(
    notice: LifecycleNotice,
    error: string,
    maxTries: number,
  ): Promise<'retry' | 'given-up'>;
}

/** The city as a sentence names it: `''` (no city asked) is "any city". */
function cityName(city: string, locale: Locale): string {
  return city === '' ? phrase('pool.anyCity', locale) : city;
}

/** The lifecycle's work for the binding service: reminders, expiry, pool health. */
export class LifecycleCommands implements LifecycleSource {
  constructor(
    private readonly kit: ServiceKit,
    private readonly targets: BindingTargets,
  ) {}

  private get store(): LifecycleLedger {
    return this.kit.deps.ledger.lifecycle;
  }

  private get serviceLocale(): Locale {
    return this.kit.deps.config.locale ?? 'en';
  }

  /**
   * Records, after a bind, that it asked for a city and landed elsewhere, or was refused for want of a
   * number; once per bind. Never throws: pool health must not fail a bind.
   */
  recordPoolEvent(event: PoolEvent): Promise<void> {
    return recordPoolEvent(this.kit, event);
  }

  /**
   * `silence` ("Let it expire"): no reminder and no expiry notice for the binding's current expiry, for
   * its binder or an admin (a later extension brings reminders back). Audited with the delivery.
   */
  async silence(target: Target, locale: Locale, actor: Actor): Promise<Work> {
    const live = await this.targets.changeableBinding(target, locale, actor, 'silence');
    if ('reply' in live) return live;
    const outcome = await this.store.silence(live.ref, live.expiresAt, this.kit.now());
    return {
      reply: { kind: 'silenced', locale, binding: toView(live), already: outcome === 'already' },
      outcomes: [
        {
          ref: live.ref,
          patch: {},
          audit: this.kit.event(
            actor,
            'silence',
            `${live.phoneMasked} ${live.ref} SubsId ${live.subsId}`,
            'OK',
            null,
            outcome === 'already' ? 'silenced already' : null,
          ),
        },
      ],
    };
  }

  /**
   * `pool [city] [remain]`: the default pool city by city as the ledger has seen it — X numbers, active
   * bindings, fallbacks and refusals in the last 24 hours — and, for `remain` (admins only), what Aliyun
   * has for sale in the city (`QuerySecretNoRemain`, virtual-operator and carrier numbers; audited).
   */
  async pool(command: Extract<Command, { verb: 'pool' }>, actor: Actor): Promise<Reply> {
    const { locale, city, remain } = command;
    const { config, client } = this.kit.deps;
    if (remain && !this.kit.policy.isAdmin(actor))
      return this.kit.deny(actor, locale, 'admin-only', 'pool', 'remain');
    const now = this.kit.now();
    const since = now - POOL_REPLY_WINDOW_MS;
    const all = await this.store.poolCounts(config.poolKey, now, since);
    const cities =
      city === undefined
        ? all.slice(0, POOL_CITIES_SHOWN)
        : [
            all.find((row) => row.city === city) ?? {
              city,
              numbers: 0,
              active: 0,
              fallbacks: 0,
              refusals: 0,
            },
          ];
    const reply = { kind: 'pool', locale, poolKey: config.poolKey, since, cities } as const;
    if (!remain || city === undefined) return city === undefined ? reply : { ...reply, city };
    try {
      const [virtual, carrier] = await Promise.all(
        ([1, 2] as const).map((specId) => client.call(QuerySecretNoRemain, { specId, city })),
      );
      await this.kit.audit(actor, 'pool-remain', city, 'OK', virtual?.requestId ?? null);
      return {
        ...reply,
        city,
        remain: { city, virtual: virtual?.amount ?? 0, carrier: carrier?.amount ?? 0 },
      };
    } catch (error) {
      const failure = asAxnError(error);
      await this.kit.audit(
        actor,
        'pool-remain',
        city,
        failure.code,
        failure.requestId ?? null,
        failure.message,
      );
      return this.kit.errorReply(failure, locale);
    }
  }

  async expireLapsedBindings(platforms: readonly string[], limit: number): Promise<number> {
    const { ledger } = this.kit.deps;
    let marked = 0;
    for (const ref of await this.store.lapsedBindings({ platforms, now: this.kit.now(), limit })) {
      const record = await ledger.bindingByRef(ref);
      if (!record) continue;
      const audit = this.kit.event(
        systemActor,
        'expire',
        `${record.phoneMasked} ${record.ref} SubsId ${record.subsId ?? '-'}`,
        'OK',
        null,
      );
      if (await this.store.markExpired(ref, this.kit.now(), audit)) marked += 1;
    }
    return marked;
  }

  async dueLifecycleWork(request: LifecycleWorkRequest): Promise<LifecycleCandidate[]> {
    const now = this.kit.now();
    const { platforms, limit } = request;
    const work: LifecycleCandidate[] = [];
    if (request.remindBeforeMs > 0) {
      const due = await this.store.dueReminders({
        platforms,
        now,
        remindBeforeMs: request.remindBeforeMs,
        limit,
      });
      for (const item of due) work.push({ kind: 'reminder', ...item });
    }
    const expired = await this.store.dueExpiryNotices({
      platforms,
      now,
      since: now - EXPIRY_NOTICE_HORIZON_MS,
      limit,
    });
    for (const item of expired) work.push({ kind: 'expired', ...item });
    if (request.alertChannel && platforms.includes(request.alertChannel.platform)) {
      const counts = await this.store.poolEventCounts(now - POOL_ALERT_WINDOW_MS, request.poolAlertThreshold);
      for (const count of counts.slice(0, limit)) work.push({ kind: 'pool-alert', ...count });
    }
    return work;
  }

  async claimLifecycleNotice(
    candidate: LifecycleCandidate,
    request: LifecycleWorkRequest,
    leaseMs: number,
  ): Promise<LifecycleNotice | undefined> {
    const now = this.kit.now();
    if (candidate.kind === 'pool-alert') {
      const { alertChannel } = request;
      if (!alertChannel) return undefined;
      const claim = await this.store.claimPoolAlert(
        candidate.poolKey,
        candidate.city,
        now,
        request.poolAlertCooldownMs,
        now + leaseMs,
      );
      if (!claim) return undefined;
      return this.poolAlert(candidate, alertChannel, claim.alertedAt, claim.tries);
    }
    const record = await this.kit.deps.ledger.bindingByRef(candidate.ref);
    // Checked again here: the binding may have changed since the work was found.
    if (!record?.subsId || record.expiresAt !== candidate.expiresAt) return undefined;
    if (candidate.kind === 'reminder' && (record.status !== 'active' || record.expiresAt <= now))
      return undefined;
    if (candidate.kind === 'expired' && record.status !== 'expired') return undefined;
    const claim = await this.store.claimNotice(
      record.ref,
      candidate.kind,
      record.expiresAt,
      now,
      now + leaseMs,
    );
    if (!claim) return undefined;
    if (candidate.kind === 'reminder') return this.reminder(record, claim.tries);
    const reminder = await this.store.notice(record.ref, 'reminder');
    const reminderMessageRef =
      reminder?.state === 'sent' && reminder.expiresAt === record.expiresAt ? reminder.messageRef : null;
    return this.expired(record, claim.tries, reminderMessageRef);
  }

  async renewLifecycleNotice(notice: LifecycleNotice, leaseMs: number): Promise<void> {
    const until = this.kit.now() + leaseMs;
    if (notice.kind === 'pool-alert')
      await this.store.renewPoolAlert(notice.poolKey, notice.city ?? '', until);
    else await this.store.renewNotice(notice.binding.ref, notice.kind, until);
  }

  async lifecycleNoticeSent(notice: LifecycleNotice, messageRef: string | null): Promise<void> {
    const now = this.kit.now();
    if (notice.kind === 'pool-alert')
      await this.store.poolAlertSent(notice.poolKey, notice.city ?? '', now, messageRef);
    else await this.store.noticeSent(notice.binding.ref, notice.kind, now, messageRef);
  }

  async lifecycleNoticeFailed(
    notice: LifecycleNotice,
    error: string,
    maxTries: number,
  ): Promise<'retry' | 'given-up'> {
    const now = this.kit.now();
    if (notice.kind === 'pool-alert')
      return this.store.poolAlertFailed(notice.poolKey, notice.city ?? '', now, error, maxTries);
    return this.store.noticeFailed(
      notice.binding.ref,
      notice.kind as LifecycleNoticeKind,
      now,
      error,
      maxTries,
    );
  }

  /** The reminder of a binding about to expire, in its binder's language, with its four actions. */
  private reminder(record: BindingRecord, attempt: number): ReminderNotice {
    const locale = record.locale ?? this.serviceLocale;
    const binding = toView(record);
    const now = this.kit.now();
    const expiresAtText = phrase('time.beijing', locale, { time: beijingMinute(record.expiresAt) });
    const relative = relativeTime(record.expiresAt, now, locale);
    return {
      kind: 'reminder',
      id: `reminder:${record.ref}:${record.expiresAt}`,
      locale,
      attempt,
      title: phrase('remind.title', locale),
      lines: [
        phrase('remind.text', locale, { ...this.where(binding, locale), when: expiresAtText, relative }),
        phrase('remind.choose', locale),
      ],
      binding,
      place: place(record),
      expiresAt: record.expiresAt,
      expiresAtText,
      relative,
      actions: reminderActions(record.subsId as string, binding, locale),
    };
  }

  /** The notice of a binding that expired, in its binder's language. */
  private expired(record: BindingRecord, attempt: number, reminderMessageRef: string | null): ExpiredNotice {
    const locale = record.locale ?? this.serviceLocale;
    const binding = toView(record);
    const expiredAtText = phrase('time.beijing', locale, { time: beijingMinute(record.expiresAt) });
    return {
      kind: 'expired',
      id: `expired:${record.ref}`,
      locale,
      attempt,
      title: phrase('expired.title', locale),
      lines: [phrase('expired.text', locale, { ...this.where(binding, locale), when: expiredAtText })],
      binding,
      place: place(record),
      reminderMessageRef,
      expiredAtText,
    };
  }

  /** A pool alert, in the service's language: which pool and city, how many binds, what to do. */
  private async poolAlert(
    count: Extract<LifecycleCandidate, { kind: 'pool-alert' }>,
    channel: AlertChannel,
    alertedAt: number | null,
    attempt: number,
  ): Promise<PoolAlertNotice> {
    const locale = this.serviceLocale;
    const now = this.kit.now();
    const refs = await this.store.idleBindings({
      poolKey: count.poolKey,
      city: count.city === '' ? undefined : count.city,
      now,
      quietSince: now - IDLE_AFTER_MS,
      limit: IDLE_LISTED,
    });
    const idle: BindingView[] = [];
    for (const ref of refs) {
      const record = await this.kit.deps.ledger.bindingByRef(ref);
      if (record) idle.push(toView(record));
    }
    const city = cityName(count.city, locale);
    const lines = [
      phrase('alert.affected', locale, {
        city,
        count: count.fallbacks + count.refusals,
        fallbacks: count.fallbacks,
        refusals: count.refusals,
      }),
      phrase('alert.advice', locale, { city }),
    ];
    if (idle.length > 0) {
      lines.push(phrase('alert.idleHeading', locale));
      for (const view of idle) {
        lines.push(
          phrase('alert.idleLine', locale, {
            ...this.where(view, locale),
            subsId: view.subsId ?? '—',
            who: view.boundBy,
            until: beijingMinute(view.expiresAt),
          }),
        );
      }
    } else lines.push(phrase('alert.noIdle', locale));
    return {
      kind: 'pool-alert',
      id: `pool-alert:${count.poolKey}:${count.city}:${alertedAt ?? 0}`,
      locale,
      attempt,
      title: phrase('alert.title', locale, { city, pool: count.poolKey }),
      lines,
      channel,
      poolKey: count.poolKey,
      city: count.city === '' ? null : count.city,
      fallbacks: count.fallbacks,
      refusals: count.refusals,
      windowMs: POOL_ALERT_WINDOW_MS,
      idle,
    };
  }

  /** A binding's masked A, grouped X and extension, for a sentence. */
  private where(view: BindingView, locale: Locale): { phone: string; x: string; ext: string } {
    return {
      phone: view.phoneMasked,
      x: view.secretNo ? groupNumber(view.secretNo) : phrase('binding.xUnknown', locale),
      ext: view.extension ?? '—',
    };
  }
}

/**
 * Records a pool event (a bind that asked for a city and landed elsewhere, or found no number), once per
 * bind. Never throws: pool health must not fail a bind; a failure is logged.
 */
export async function recordPoolEvent(kit: ServiceKit, event: PoolEvent): Promise<void> {
  try {
    await kit.deps.ledger.lifecycle.recordPoolEvent(event);
  } catch (error) {
    kit.logger.warn('could not record a pool event', {
      poolKey: event.poolKey,
      kind: event.kind,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

/** Where a binding was made, from its ledger record. */
function place(record: BindingRecord): LifecyclePlace {
  return {
    platform: record.platform,
    channelId: record.channelId,
    userId: record.userId,
    userName: record.userName,
    messageRef: record.messageRef ?? null,
  };
}

/**
 * The four actions of a reminder, in the binder's language: each names the binding by SubsId and runs as
 * the typed command it shows.
 */
export function reminderActions(subsId: string, binding: BindingView, locale: Locale): LifecycleAction[] {
  const days = (n: number) => formatDuration(n * DAY, locale);
  return [
    {
      id: LIFECYCLE_ACTION_IDS.extendDay,
      label: phrase('action.extendDayPlus', locale),
      command: phrase('command.extend', locale, { target: subsId, duration: days(1) }),
      subsId,
      style: 'primary',
    },
    {
      id: LIFECYCLE_ACTION_IDS.extendWeek,
      label: phrase('action.extendWeekPlus', locale),
      command: phrase('command.extend', locale, { target: subsId, duration: days(7) }),
      subsId,
    },
    {
      id: LIFECYCLE_ACTION_IDS.unbind,
      label: phrase('action.unbindNow', locale),
      command: phrase('command.unbind', locale, { target: subsId }),
      subsId,
      style: 'danger',
      confirm: {
        title: phrase('action.confirmUnbind', locale),
        text: phrase('action.unbindWarning', locale, {
          phone: binding.phoneMasked,
          x: binding.secretNo ? groupNumber(binding.secretNo) : '—',
          ext: binding.extension ?? '—',
        }),
        confirm: phrase('action.unbind', locale),
        deny: phrase('action.cancel', locale),
      },
    },
    {
      id: LIFECYCLE_ACTION_IDS.silence,
      label: phrase('action.letExpire', locale),
      command: phrase('command.silence', locale, { target: subsId }),
      subsId,
    },
  ];
}

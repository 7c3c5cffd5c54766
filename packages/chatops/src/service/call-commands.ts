import { QueryRecordFileDownloadUrl } from '@axnbot/core';
import { toView } from '../binding-view.js';
import type { Locale, Target } from '../language/commands.js';
import type { BindingRecord } from '../ledger/ledger.js';
import { phrase } from '../phrases.js';
import type { Actor } from '../policy.js';
import type { CallNotice } from '../receipts/call-notice.js';
import { callTotals, formatCallLine, summarizeCall, summarizeCalls } from '../receipts/call-summary.js';
import type { CallEvent } from '../receipts/receipt-records.js';
import type { Reply } from '../replies.js';
import { asAxnError, describeTarget, type ServiceKit } from './kit.js';
import type { BindingTargets } from './targets.js';

/** Calls shown by one `calls` reply (the newest). */
const CALLS_SHOWN = 20;
/** Bindings of one number whose calls `calls` gathers (the newest). */
const BINDINGS_SEARCHED = 10;
/** How long a recording link from `QueryRecordFileDownloadUrl` works. */
const RECORDING_LINK_MS = 2 * 60 * 60 * 1000;
/** Platforms whose bindings were not made from a chat: their calls are stored and listed, never posted. */
const NOT_CHAT = new Set(['console', 'system']);

/** `calls`, the "▶ Recording" action, and what to post when a call's receipts arrive. */
/** How long a call on another front end's binding waits for that front end's sweep before it is let go. */
const FOREIGN_NOTICE_TTL_MS = 24 * 60 * 60_000;

export class CallCommands {
  constructor(
    private readonly kit: ServiceKit,
    private readonly targets: BindingTargets,
  ) {}

  /**
   * `calls`: the calls of the binding a target names, newest first, gated as `info` is (what the actor may
   * see; a look-up by full number rate-limited and audited). An admin may name by SubsId a binding the
   * ledger does not have (made outside axnbot) and see its calls.
   */
  async calls(target: Target, locale: Locale, actor: Actor): Promise<Reply> {
    const found = await this.targets.lookUp(target, locale, actor, 'calls');
    let binding: BindingRecord | null = null;
    let subsIds: string[];
    if (Array.isArray(found)) {
      binding = found[0] ?? null;
      subsIds = [...new Set(found.map((record) => record.subsId).filter((id) => id !== null))].slice(
        0,
        BINDINGS_SEARCHED,
      );
    } else if (
      target.kind === 'subsId' &&
      this.kit.policy.isAdmin(actor) &&
      found.kind === 'error' &&
      found.code === 'local.NOT_FOUND'
    ) {
      subsIds = [target.subsId];
    } else {
      return found;
    }
    const events = (
      await Promise.all(
        subsIds.map((subsId) => this.kit.deps.ledger.callEventsForBinding(subsId, CALLS_SHOWN + 1)),
      )
    ).flat();
    const all = summarizeCalls(events);
    const calls = all.slice(0, CALLS_SHOWN);
    return {
      kind: 'calls',
      locale,
      binding: binding ? toView(binding) : null,
      target: describeTarget(target, locale),
      calls,
      totals: callTotals(calls),
      truncated: all.length > calls.length,
    };
  }

  /**
   * "▶ Recording": a fresh link to a call's recording (`QueryRecordFileDownloadUrl`, asked now, never
   * cached: links last two hours), for whoever made the binding or an admin. Audited, allowed or not.
   */
  async recordingLink(actor: Actor, callId: string, locale?: Locale): Promise<Reply> {
    const { ledger, config, client } = this.kit.deps;
    const id = callId.slice(0, 100);
    const events = await ledger.callEvents(id);
    const call = summarizeCall(events);
    const binding = call?.subsId ? await ledger.bindingBySubsId(call.subsId) : undefined;
    const language = locale ?? binding?.locale ?? config.locale ?? 'en';
    const denial = this.kit.policy.checkAccess(actor);
    if (denial) return this.kit.deny(actor, language, denial, 'recording', `call ${id}`);
    const target = `call ${id}${call?.subsId ? ` SubsId ${call.subsId}` : ''}`;
    if (!call) {
      await this.kit.audit(actor, 'recording', target, 'local.NOT_FOUND', null);
      return { kind: 'recording', locale: language, callId: id, call: null, link: null };
    }
    const allowed = binding ? this.targets.mayChange(binding, actor) : this.kit.policy.isAdmin(actor);
    if (!allowed) return this.kit.deny(actor, language, 'not-binder', 'recording', target);
    if (!call.recorded || call.recordingCallTime === null) {
      await this.kit.audit(actor, 'recording', target, 'local.NOT_FOUND', null, 'no recording');
      return { kind: 'recording', locale: language, callId: id, call, link: null };
    }
    const poolKey =
      events.find((event) => event.poolKey !== null)?.poolKey ?? binding?.poolKey ?? config.poolKey;
    try {
      const result = await client.call(QueryRecordFileDownloadUrl, {
        poolKey,
        callId: id,
        callTime: call.recordingCallTime,
      });
      await this.kit.audit(actor, 'recording', target, 'OK', result.requestId);
      return {
        kind: 'recording',
        locale: language,
        callId: id,
        call,
        link: { url: result.downloadUrl, expiresAt: this.kit.now() + RECORDING_LINK_MS },
      };
    } catch (error) {
      const failure = asAxnError(error);
      await this.kit.audit(
        actor,
        'recording',
        target,
        failure.code,
        failure.requestId ?? null,
        failure.message,
      );
      return this.kit.errorReply(failure, language);
    }
  }

  /**
   * What to post for a newly stored call event, claimed so that it is posted once across processes and
   * restarts ({@link Ledger.claimCallNotification}); `undefined` when there is nothing to post (another
   * process claimed it, the call's binding was not made from a chat or is not in the ledger, or the event
   * is not one that is posted).
   *
   * A call is posted when its end record (`SecretReport`) arrives: one line, with "▶ Recording" when it
   * has one. A recording that arrives after its call was posted is posted as a second line; one that
   * arrives before is carried by the call's line. With `final` (a sweep of old unclaimed events), a
   * recording whose call never ended is let go. With `platform`, calls on bindings made on another front
   * end are left unclaimed for it.
   */
  async claimCallNotice(
    event: CallEvent,
    options: { final?: boolean; platform?: string } = {},
  ): Promise<CallNotice | undefined> {
    const { ledger } = this.kit.deps;
    if (event.type !== 'SecretReport' && event.type !== 'SecretRecording') return undefined;
    const now = this.kit.now();
    const events = await ledger.callEvents(event.callId);
    if (options.platform) {
      const subsId = summarizeCall(events)?.subsId;
      const owner = subsId ? (await ledger.bindingBySubsId(subsId))?.platform : undefined;
      // A call on a binding made on another front end is that front end's to post (its sweep finds it,
      // when both share the ledger). Unposted for a day, it is let go, so it cannot hold up a sweep.
      if (owner && owner !== options.platform && !NOT_CHAT.has(owner)) {
        if (options.final && event.receivedAt < now - FOREIGN_NOTICE_TTL_MS)
          await ledger.claimCallNotification(event.callId, now, event.type);
        return undefined;
      }
    }
    const end = events.find((candidate) => candidate.type === 'SecretReport');
    const recording = events.find((candidate) => candidate.type === 'SecretRecording');
    if (event.type === 'SecretRecording') {
      // Until its call is posted, a recording waits to be carried by the call's own line.
      if (!end || (end.notifiedAt ?? null) === null) {
        if (options.final) await ledger.claimCallNotification(event.callId, now, 'SecretRecording');
        return undefined;
      }
      if (!(await ledger.claimCallNotification(event.callId, now, 'SecretRecording'))) return undefined;
      // The call's line offered the recording already (its end record carried the recording's URL).
      if (end.recorded) return undefined;
    } else {
      if (!(await ledger.claimCallNotification(event.callId, now, 'SecretReport'))) return undefined;
      // A recording stored already is carried by this line, and not posted again.
      if (recording) await ledger.claimCallNotification(event.callId, now, 'SecretRecording');
    }
    const call = summarizeCall(events);
    if (!call?.subsId) return undefined;
    const binding = await ledger.bindingBySubsId(call.subsId);
    if (!binding || NOT_CHAT.has(binding.platform)) return undefined;
    const locale = binding.locale ?? this.kit.deps.config.locale ?? 'en';
    const line = formatCallLine(call, locale);
    return {
      kind: event.type === 'SecretReport' ? 'call' : 'recording',
      callId: call.callId,
      binding: {
        ref: binding.ref,
        subsId: call.subsId,
        platform: binding.platform,
        channelId: binding.channelId,
        userId: binding.userId,
        userName: binding.userName,
        messageRef: binding.messageRef ?? null,
      },
      locale,
      call,
      line: event.type === 'SecretReport' ? line : phrase('call.recordingReady', locale, { line }),
      recording: call.recorded,
    };
  }
}

import { toView } from '../binding-view.js';
import type { Locale, Target } from '../language/commands.js';
import type { Actor } from '../policy.js';
import { type CallSummary, summarizeCalls } from '../receipts/call-summary.js';
import type { BindingView, Reply } from '../replies.js';
import type { ServiceKit } from './kit.js';
import type { BindingTargets } from './targets.js';

/** `info` and `list`: what the actor may see, kept in step with the service. */
export class ReadCommands {
  constructor(
    private readonly kit: ServiceKit,
    private readonly targets: BindingTargets,
  ) {}

  /** `info`: the ledger's bindings for the target, each checked with the service and kept in step. */
  async info(target: Target, locale: Locale, actor: Actor): Promise<Reply> {
    const records = await this.targets.lookUp(target, locale, actor, 'info');
    if (!Array.isArray(records)) return records;
    const views: BindingView[] = [];
    for (const record of records.slice(0, 10)) views.push(toView(await this.targets.refresh(record, actor)));
    // Each binding's last call, from the receipts the ledger keeps.
    const lastCalls: Record<string, CallSummary> = {};
    for (const view of views) {
      if (!view.subsId) continue;
      const [call] = summarizeCalls(await this.kit.deps.ledger.callEventsForBinding(view.subsId, 10));
      if (call) lastCalls[view.ref] = call;
    }
    return { kind: 'info', locale, bindings: views, lastCalls };
  }

  async list(scope: 'mine' | 'all', locale: Locale, actor: Actor): Promise<Reply> {
    if (scope === 'all' && !this.kit.policy.isAdmin(actor))
      return this.kit.deny(actor, locale, 'admin-only', 'list', 'all');
    const limit = 50;
    const records = await this.kit.deps.ledger.listBindings({
      owner: scope === 'mine' ? { platform: actor.platform, userId: actor.userId } : undefined,
      // Pending and unknown ones too: a binding that may exist is shown, marked, never hidden.
      statuses: ['active', 'unknown', 'pending'],
      limit,
    });
    const now = this.kit.now();
    const live: BindingView[] = [];
    for (const record of records) {
      if (record.status === 'active' && record.expiresAt <= now) {
        await this.kit.deps.ledger.updateBinding(record.ref, { status: 'expired', updatedAt: now });
      } else {
        live.push(toView(record));
      }
    }
    return { kind: 'list', locale, scope, bindings: live, truncated: records.length === limit };
  }
}

import type { BindAllowance } from './limits/shared-limits.js';
import type { DenialReason } from './replies.js';

/** Who is acting, where, and on which delivery. */
export interface Actor {
  readonly platform: 'slack' | 'dingtalk' | 'console' | (string & {});
  readonly userId: string;
  readonly userName: string;
  readonly channelId: string;
  /** Each delivery's own key (Slack: team + trigger_id or envelope id; DingTalk: msgId; console: generated). */
  readonly idempotencyKey: string;
}

/** The access rules, from config (`platform:id` entries). Empty allow-lists allow everyone. */
export interface PolicyRules {
  readonly allowUsers: readonly string[];
  readonly allowChannels: readonly string[];
  readonly admins: readonly string[];
  readonly rateLimitPerMinute: number;
}

/**
 * Access policy: allow-lists, admins and a per-user one-minute rate limit on binds. Clock injected. The
 * rate limit is a sliding minute kept in this process (each replica limits on its own — stated in the
 * README), or, given a shared {@link BindAllowance} (`AXN_REDIS_URL`), counted across every replica.
 */
export class Policy {
  private readonly recent = new Map<string, number[]>();
  private readonly misses = new Map<string, number[]>();

  constructor(
    private readonly rules: PolicyRules,
    private readonly now: () => number,
    private readonly shared?: BindAllowance,
  ) {}

  private static id(actor: Actor): string {
    return `${actor.platform}:${actor.userId}`;
  }

  isAdmin(actor: Actor): boolean {
    return this.rules.admins.includes(Policy.id(actor));
  }

  /** Whether the actor may use axnbot here at all; the reason when not. Admins pass everywhere. */
  checkAccess(actor: Actor): DenialReason | undefined {
    if (this.isAdmin(actor)) return undefined;
    if (this.rules.allowUsers.length > 0 && !this.rules.allowUsers.includes(Policy.id(actor)))
      return 'user-not-allowed';
    if (
      this.rules.allowChannels.length > 0 &&
      !this.rules.allowChannels.includes(`${actor.platform}:${actor.channelId}`)
    ) {
      return 'channel-not-allowed';
    }
    return undefined;
  }

  /** Counts `count` binds against the actor's minute; `false` (and nothing counted) when over the limit. */
  async takeBinds(actor: Actor, count: number): Promise<boolean> {
    if (this.shared) return this.shared.take(Policy.id(actor), count);
    const key = Policy.id(actor);
    const now = this.now();
    const window = (this.recent.get(key) ?? []).filter((at) => now - at < 60_000);
    if (window.length + count > this.rules.rateLimitPerMinute) {
      this.recent.set(key, window);
      return false;
    }
    for (let i = 0; i < count; i++) window.push(now);
    this.recent.set(key, window);
    return true;
  }

  /**
   * Whether the actor is refused look-ups by full number for now: {@link LOOKUP_MISS_BURST} of them
   * found nothing within a minute, which is what guessing the hidden digits of a masked number looks like.
   */
  lookupsBlocked(actor: Actor): boolean {
    return this.recentMisses(actor).length >= LOOKUP_MISS_BURST;
  }

  /** Counts a look-up that found nothing; `true` when this one starts a burst (to alert once). */
  recordMiss(actor: Actor): boolean {
    const window = this.recentMisses(actor);
    window.push(this.now());
    this.misses.set(Policy.id(actor), window);
    return window.length === LOOKUP_MISS_BURST;
  }

  private recentMisses(actor: Actor): number[] {
    const now = this.now();
    return (this.misses.get(Policy.id(actor)) ?? []).filter((at) => now - at < 60_000);
  }
}

/** Misses within a minute after which a user's look-ups by full number are refused for the minute. */
export const LOOKUP_MISS_BURST = 5;

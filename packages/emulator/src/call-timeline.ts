import { UNCONNECTED } from './unconnected.js';

/** How the callee answers a call that was routed to them (operator `POST calls`, `answer`). */
export type AnswerMode = 'answered' | 'no-answer' | 'busy' | 'rejected';

/** Every {@link AnswerMode}, the default first. */
export const ANSWER_MODES: readonly AnswerMode[] = ['answered', 'no-answer', 'busy', 'rejected'];

/** The Q.850 `release_cause` values the emulator's CDRs use. */
export const RELEASE_CAUSE = {
  unallocatedNumber: 1,
  noRoute: 3,
  normalClearing: 16,
  userBusy: 17,
  noAnswer: 19,
  callRejected: 21,
} as const;

/** `release_dir`: who ended the call. */
export const RELEASE_DIR = { platform: 0, caller: 1, callee: 2 } as const;

/** When each stage of a call happened, in seconds after the caller dialled, and how it ended. */
export interface CallTimeline {
  readonly callOut: number;
  readonly ring: number;
  /** Later than `callOut` exactly when the callee's phone rang. */
  readonly freeRing: number;
  /** Answer time; equal to `release` when nobody answered, so talk time is 0. */
  readonly start: number;
  readonly release: number;
  readonly rang: boolean;
  readonly answered: boolean;
  readonly releaseDir: number;
  readonly releaseCause: number;
}

/** Why a call that was never routed was released, by its `unconnected_cause`. */
const UNROUTED_RELEASE: Readonly<Record<number, number>> = {
  [UNCONNECTED.blacklist]: RELEASE_CAUSE.callRejected,
  [UNCONNECTED.noBinding]: RELEASE_CAUSE.unallocatedNumber,
  [UNCONNECTED.restricted]: RELEASE_CAUSE.callRejected,
  [UNCONNECTED.other]: RELEASE_CAUSE.noRoute,
};

/** How long an unanswered phone rings before the platform gives up. */
const NO_ANSWER_RING_SECONDS = 30;

/**
 * The timeline of a call: a call that was not routed is released by the platform after its
 * announcement without any callee leg; a routed one rings (unless busy) and then is answered, left
 * unanswered, or declined.
 */
export function callTimeline(call: {
  readonly unconnectedCause: number;
  readonly answer: AnswerMode;
  readonly talkSeconds: number;
}): CallTimeline {
  if (call.unconnectedCause !== UNCONNECTED.normal) {
    return {
      ...stages(0, 0, 3, 3),
      releaseDir: RELEASE_DIR.platform,
      releaseCause: UNROUTED_RELEASE[call.unconnectedCause] ?? RELEASE_CAUSE.noRoute,
    };
  }
  switch (call.answer) {
    case 'answered': {
      const talk = Math.max(0, Math.floor(call.talkSeconds));
      return {
        ...stages(1, 2, 5, 5 + talk),
        answered: true,
        releaseDir: RELEASE_DIR.caller,
        releaseCause: RELEASE_CAUSE.normalClearing,
      };
    }
    case 'no-answer':
      return {
        ...stages(1, 2, 2 + NO_ANSWER_RING_SECONDS, 2 + NO_ANSWER_RING_SECONDS),
        releaseDir: RELEASE_DIR.platform,
        releaseCause: RELEASE_CAUSE.noAnswer,
      };
    case 'busy':
      return {
        ...stages(1, 1, 2, 2),
        releaseDir: RELEASE_DIR.callee,
        releaseCause: RELEASE_CAUSE.userBusy,
      };
    case 'rejected':
      return {
        ...stages(1, 2, 6, 6),
        releaseDir: RELEASE_DIR.callee,
        releaseCause: RELEASE_CAUSE.callRejected,
      };
  }
}

function stages(callOut: number, ring: number, start: number, release: number) {
  return { callOut, ring, freeRing: ring, start, release, rang: ring > callOut, answered: false };
}

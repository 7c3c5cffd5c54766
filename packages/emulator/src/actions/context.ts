import type { EmulatorClock } from '../clock.js';
import type { Params } from '../request-params.js';
import type { EmulatorStore } from '../store.js';

/** What every action handler gets. */
export interface ActionContext {
  readonly store: EmulatorStore;
  readonly clock: EmulatorClock;
  /** Base URL of this emulator, for links it hands out (recordings). */
  readonly baseUrl: string;
  /** Signs recording links so they cannot be forged or extended. */
  readonly signLink: (path: string, expiresAt: number) => string;
  readonly random: () => number;
}

/** An action's answer: the payload fields beside `Code`, `Message` and `RequestId`. */
export type ActionResult = Record<string, unknown>;

export type ActionHandler = (params: Params, context: ActionContext) => ActionResult;

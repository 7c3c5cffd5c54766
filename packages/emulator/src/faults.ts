/** A scripted misbehaviour for the next calls of an action (or of every action, `*`). */
export interface FaultSpec {
  readonly action: string;
  /** How many calls it applies to; every call until cleared when absent. */
  readonly count?: number;
  /** Answer with this code instead of doing the work. */
  readonly code?: string;
  readonly message?: string;
  /** HTTP status of that answer: 200 for `isv.`/`isp.` codes, 400 for others, unless given. */
  readonly httpStatus?: number;
  /** Wait this long before doing anything else. */
  readonly delayMs?: number;
  /** Drop the connection: `before` the call is carried out (nothing changes), or `after` (it took effect). */
  readonly drop?: 'before' | 'after';
}

interface ActiveFault extends FaultSpec {
  remaining: number;
}

/** Faults and per-action QPS caps, set through the operator API. */
export class FaultInjector {
  private faults: ActiveFault[] = [];
  private readonly caps = new Map<string, { qps: number; second: number; used: number }>();

  add(spec: FaultSpec): void {
    this.faults.push({ ...spec, remaining: spec.count ?? Number.POSITIVE_INFINITY });
  }

  /** A QPS cap for an action (or `*`); over it, calls answer `isv.FLOW_LIMIT`. */
  cap(action: string, qps: number): void {
    this.caps.set(action, { qps, second: -1, used: 0 });
  }

  clear(): void {
    this.faults = [];
    this.caps.clear();
  }

  list(): { faults: FaultSpec[]; caps: Array<{ action: string; qps: number }> } {
    return {
      faults: this.faults.map(({ remaining, ...spec }) => ({
        ...spec,
        count: Number.isFinite(remaining) ? remaining : undefined,
      })),
      caps: [...this.caps].map(([action, cap]) => ({ action, qps: cap.qps })),
    };
  }

  /** The fault for this call, if any; it is used up by the call. */
  take(action: string): FaultSpec | undefined {
    const index = this.faults.findIndex((fault) => fault.action === action || fault.action === '*');
    if (index < 0) return undefined;
    const fault = this.faults[index] as ActiveFault;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(index, 1);
    return fault;
  }

  /** Counts the call against its action's cap (fixed one-second windows); true when over it. */
  overCap(action: string, now: number): boolean {
    const cap = this.caps.get(action) ?? this.caps.get('*');
    if (!cap) return false;
    const second = Math.floor(now / 1000);
    if (cap.second !== second) {
      cap.second = second;
      cap.used = 0;
    }
    cap.used += 1;
    return cap.used > cap.qps;
  }
}

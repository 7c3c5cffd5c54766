import { type DyplsClient, QuerySecretNoDetail } from '@axnbot/core';

/** Options of {@link SecretNumberCities}. */
export interface SecretNumberCitiesOptions {
  /** How many X numbers' cities are kept; the least recently used is dropped beyond it. 10,000 by default. */
  readonly maxEntries?: number;
  /**
   * Longest wait for an answer, in milliseconds; past it {@link SecretNumberCities.cityOf} resolves
   * undefined while the look-up goes on and still fills the cache for the next reply. Without it the wait
   * is the client's own (its timeout and retries).
   */
  readonly timeoutMs?: number;
  /**
   * Told of every failed look-up — the only trace of one, since `cityOf` answers undefined. A pool whose
   * RAM user lacks `dypls:QuerySecretNoDetail` fails every look-up, and this is where that shows.
   */
  readonly onError?: (error: unknown, secretNo: string) => void;
}

/** The default bound of the cache: far more X numbers than one pool usually holds, a few hundred KiB. */
export const DEFAULT_SECRET_NUMBER_CITIES = 10_000;

/**
 * The city each X number is in, as Aliyun reports it (`QuerySecretNoDetail`). A bind's `ExpectCity` is only
 * a wish: when the pool has no free number there, Aliyun allocates one elsewhere, so a reply must show
 * this city, not the one asked for.
 *
 * An X never moves, so each city is asked once and kept (bounded, least recently used dropped); look-ups
 * of the same X at the same time share one call. Failures are not kept, so a later reply tries again.
 * {@link SecretNumberCities.cityOf} never rejects: a reply must not fail because this look-up did.
 */
export class SecretNumberCities {
  // Insertion order is use order: a hit is moved to the end, so the first key is the least recently used.
  private readonly cities = new Map<string, string>();
  private readonly pending = new Map<string, Promise<string | undefined>>();
  private readonly maxEntries: number;

  constructor(
    private readonly client: Pick<DyplsClient, 'call'>,
    private readonly options: SecretNumberCitiesOptions = {},
  ) {
    const max = options.maxEntries ?? DEFAULT_SECRET_NUMBER_CITIES;
    if (!Number.isInteger(max) || max < 1) throw new RangeError('maxEntries must be a positive integer');
    this.maxEntries = max;
  }

  /** How many cities are cached. */
  get size(): number {
    return this.cities.size;
  }

  /**
   * The city of `secretNo` in pool `poolKey` (`杭州`), or undefined when the service does not say or the
   * look-up failed or took longer than `timeoutMs`. Never rejects.
   */
  async cityOf(poolKey: string, secretNo: string): Promise<string | undefined> {
    // Keyed by the number alone: its city is the number's, whichever pool it is asked through.
    const cached = this.cities.get(secretNo);
    if (cached !== undefined) {
      this.cities.delete(secretNo);
      this.cities.set(secretNo, cached);
      return cached;
    }
    let lookUp = this.pending.get(secretNo);
    if (!lookUp) {
      lookUp = this.lookUp(poolKey, secretNo);
      this.pending.set(secretNo, lookUp);
      const settled = lookUp;
      void settled.finally(() => {
        if (this.pending.get(secretNo) === settled) this.pending.delete(secretNo);
      });
    }
    return this.options.timeoutMs === undefined ? lookUp : withTimeout(lookUp, this.options.timeoutMs);
  }

  private async lookUp(poolKey: string, secretNo: string): Promise<string | undefined> {
    try {
      const { city } = await this.client.call(QuerySecretNoDetail, { poolKey, secretNo });
      if (city !== undefined) this.remember(secretNo, city);
      return city;
    } catch (error) {
      try {
        this.options.onError?.(error, secretNo);
      } catch {
        // A failing logger must not turn a missing city into a failed reply.
      }
      return undefined;
    }
  }

  private remember(secretNo: string, city: string): void {
    this.cities.delete(secretNo);
    this.cities.set(secretNo, city);
    if (this.cities.size > this.maxEntries) {
      const oldest = this.cities.keys().next().value;
      if (oldest !== undefined) this.cities.delete(oldest);
    }
  }
}

function withTimeout<T>(promise: Promise<T | undefined>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    // The look-up itself never rejects, so only its answer needs passing on.
    void promise.then((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

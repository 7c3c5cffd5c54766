import type { EmulatorStore } from './store.js';

/** The pool key of the demo seed. */
export const DEMO_POOL_KEY = 'FC-DEMO';

const DEMO_CITIES = ['北京', '上海', '广州', '深圳', '杭州'] as const;

/**
 * Seeds pool `FC-DEMO`: 25 X numbers (170 0000 0001 …), five in each of 北京, 上海, 广州, 深圳 and 杭州,
 * three-digit extensions, and some purchasable inventory. Does nothing when the pool exists already, so a
 * restart on the same database keeps its state.
 */
export function seedDemo(store: EmulatorStore): void {
  if (store.pool(DEMO_POOL_KEY)) return;
  store.transaction(() => {
    store.createPool({
      key: DEMO_POOL_KEY,
      name: 'Demo pool',
      cityMode: 'fallback',
      extensionLength: 3,
      callbackMode: 'latest-peer',
    });
    store.addNumbers(
      DEMO_POOL_KEY,
      Array.from({ length: 25 }, (_, index) => ({
        secretNo: `170000000${String(index + 1).padStart(2, '0')}`,
        city: DEMO_CITIES[Math.floor(index / 5)] as string,
      })),
    );
    DEMO_CITIES.forEach((city, index) => {
      store.setInventory(1, city, 100 * (index + 1));
      store.setInventory(2, city, 50 * (index + 1));
    });
    store.setInventory(3, '全国通用', 20);
  });
}

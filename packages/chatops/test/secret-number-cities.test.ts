import {
  AxnError,
  BindAxnExtension,
  createDyplsClient,
  type DyplsClient,
  formatBeijingTime,
} from '@axnbot/core';
import { type Emulator, startEmulator } from '@axnbot/emulator';
import { afterEach, describe, expect, it } from 'vitest';
import { SecretNumberCities } from '../src/index.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A demo emulator and a core client on it that counts its calls. */
async function setup(clientOptions: { timeoutMs?: number } = {}) {
  const emu: Emulator = await startEmulator({ seed: 'demo' });
  cleanups.push(() => emu.close());
  const client = createDyplsClient({
    endpoint: emu.url,
    credentials: { accessKeyId: 'testid', accessKeySecret: 'testsecret' },
    retry: { maxAttempts: 1 },
    timeoutMs: clientOptions.timeoutMs ?? 2000,
  });
  cleanups.push(() => client.close());
  const counted = {
    calls: 0,
    call: ((operation, input) => {
      counted.calls += 1;
      return client.call(operation, input);
    }) as DyplsClient['call'],
  };
  const fault = (spec: Record<string, unknown>) =>
    fetch(`${emu.url}/_emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(spec),
    }).then((response) => expect(response.status).toBe(200));
  return { emu, client, counted, fault };
}

describe('SecretNumberCities', () => {
  it('answers the city an X is in, and asks the service once per X', async () => {
    const { counted } = await setup();
    const cities = new SecretNumberCities(counted);
    expect(await cities.cityOf('FC-DEMO', '17000000021')).toBe('杭州');
    expect(await cities.cityOf('FC-DEMO', '17000000021')).toBe('杭州');
    expect(await cities.cityOf('FC-DEMO', '17000000001')).toBe('北京');
    expect(counted.calls).toBe(2);
    expect(cities.size).toBe(2);
  });

  it('answers the city X was really allocated in when the bind asked for one the pool lacks', async () => {
    const { emu, client, counted } = await setup();
    const bound = await client.call(BindAxnExtension, {
      poolKey: 'FC-DEMO',
      phoneNoA: '13800138000',
      expiration: formatBeijingTime(emu.clock.now() + 86_400_000),
      expectCity: '火星',
    });
    const city = await new SecretNumberCities(counted).cityOf('FC-DEMO', bound.secretNo);
    expect(city).not.toBe('火星');
    expect(city).toBe(emu.store.number(bound.secretNo)?.city);
  });

  it('shares one look-up between concurrent asks for the same X', async () => {
    const { counted } = await setup();
    const cities = new SecretNumberCities(counted);
    const answers = await Promise.all([
      cities.cityOf('FC-DEMO', '17000000006'),
      cities.cityOf('FC-DEMO', '17000000006'),
      cities.cityOf('FC-DEMO', '17000000006'),
    ]);
    expect(answers).toEqual(['上海', '上海', '上海']);
    expect(counted.calls).toBe(1);
  });

  it('answers undefined for a number the pool lacks, reports why, and asks again next time', async () => {
    const { counted } = await setup();
    const errors: unknown[] = [];
    const cities = new SecretNumberCities(counted, { onError: (error) => errors.push(error) });
    expect(await cities.cityOf('FC-DEMO', '17099999999')).toBeUndefined();
    expect(await cities.cityOf('FC-DEMO', '17099999999')).toBeUndefined();
    expect(counted.calls).toBe(2);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toBeInstanceOf(AxnError);
    expect((errors[0] as AxnError).code).toBe('isv.NO_NOT_EXIST');
    expect(cities.size).toBe(0);
  });

  it('never rejects: not on a refusal, a bad number, a throwing logger or an unreachable service', async () => {
    const { emu, counted, fault } = await setup();
    const cities = new SecretNumberCities(counted, {
      onError: () => {
        throw new Error('logger down');
      },
    });
    await fault({ action: 'QuerySecretNoDetail', count: 1, code: 'isp.RAM_PERMISSION_DENY' });
    expect(await cities.cityOf('FC-DEMO', '17000000011')).toBeUndefined();
    // A failure is not remembered: once the service answers, the city is there.
    expect(await cities.cityOf('FC-DEMO', '17000000011')).toBe('广州');
    expect(await cities.cityOf('FC-DEMO', 'not-a-number')).toBeUndefined();
    await emu.close();
    expect(await cities.cityOf('FC-DEMO', '17000000016')).toBeUndefined();
    // The cached city needs no service.
    expect(await cities.cityOf('FC-DEMO', '17000000011')).toBe('广州');
  });

  it('gives up waiting after timeoutMs, and the late answer still fills the cache', async () => {
    const { counted, fault } = await setup();
    const cities = new SecretNumberCities(counted, { timeoutMs: 50 });
    await fault({ action: 'QuerySecretNoDetail', count: 1, delayMs: 1000 });
    const started = Date.now();
    expect(await cities.cityOf('FC-DEMO', '17000000016')).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(800);
    await expect.poll(() => cities.size, { timeout: 3000 }).toBe(1);
    expect(await cities.cityOf('FC-DEMO', '17000000016')).toBe('深圳');
    expect(counted.calls).toBe(1);
  });

  it('keeps at most maxEntries cities, dropping the least recently used', async () => {
    const { counted } = await setup();
    const cities = new SecretNumberCities(counted, { maxEntries: 2 });
    await cities.cityOf('FC-DEMO', '17000000001');
    await cities.cityOf('FC-DEMO', '17000000006');
    // Using 001 again makes 006 the least recently used, so 011 pushes 006 out, not 001.
    await cities.cityOf('FC-DEMO', '17000000001');
    await cities.cityOf('FC-DEMO', '17000000011');
    expect(cities.size).toBe(2);
    expect(counted.calls).toBe(3);
    await cities.cityOf('FC-DEMO', '17000000001');
    expect(counted.calls).toBe(3);
    expect(await cities.cityOf('FC-DEMO', '17000000006')).toBe('上海');
    expect(counted.calls).toBe(4);
  });

  it('refuses a bound that is not a positive integer', () => {
    const client = { call: (() => Promise.reject(new Error('unused'))) as DyplsClient['call'] };
    expect(() => new SecretNumberCities(client, { maxEntries: 0 })).toThrow(RangeError);
    expect(() => new SecretNumberCities(client, { maxEntries: 1.5 })).toThrow(RangeError);
  });
});

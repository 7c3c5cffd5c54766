import { createDyplsClient, type DyplsClientOptions, formatBeijingTime, signRpcV2 } from '@axnbot/core';
import { afterEach } from 'vitest';
import { type Emulator, type EmulatorOptions, startEmulator } from '../src/index.js';

export const credentials = { accessKeyId: 'testid', accessKeySecret: 'testsecret' };
const open: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((item) => item.close()));
});

/** Starts an emulator (demo pool unless told otherwise) that is closed after the test. */
export async function emulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const emu = await startEmulator({ seed: 'demo', ...options });
  open.push(emu);
  return emu;
}

/** A core client pointed at the emulator, closed after the test. */
export function clientFor(emu: Emulator, options: Partial<DyplsClientOptions> = {}) {
  const client = createDyplsClient({ endpoint: emu.url, credentials, retry: { maxAttempts: 1 }, ...options });
  open.push(client);
  return client;
}

/** Beijing `yyyy-MM-dd HH:mm:ss` this many ms after the emulator's now. */
export const after = (emu: Emulator, ms: number) => formatBeijingTime(emu.clock.now() + ms);
export const DAY = 86_400_000;

/** Calls the operator API. */
export async function operator(emu: Emulator, method: string, path: string, body?: unknown) {
  const response = await fetch(`${emu.url}/_emulator/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown> & { error?: string },
  };
}

let nonceCounter = 0;

/**
 * Sends a hand-built V2 request — for the gateway's own rules, which the core client never breaks.
 * `override` replaces common parameters after defaults (before signing unless `signature` is given).
 */
export async function rawV2(
  emu: Emulator,
  params: Record<string, string>,
  options: { method?: 'GET' | 'POST'; secret?: string; signature?: string; timestamp?: Date } = {},
) {
  const all: Record<string, string> = {
    Format: 'JSON',
    Version: '2017-05-25',
    AccessKeyId: 'testid',
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: `raw-${process.pid}-${Date.now()}-${nonceCounter++}`,
    Timestamp: (options.timestamp ?? new Date(emu.clock.now())).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    ...params,
  };
  const method = options.method ?? 'GET';
  const signature = options.signature ?? signRpcV2(all, method, options.secret ?? 'testsecret').signature;
  const encoded = `${new URLSearchParams({ ...all, Signature: signature })}`;
  const response =
    method === 'GET'
      ? await fetch(`${emu.url}/?${encoded}`)
      : await fetch(`${emu.url}/`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: encoded,
        });
  const text = await response.text();
  return { status: response.status, text, body: safeJson(text) };
}

function safeJson(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

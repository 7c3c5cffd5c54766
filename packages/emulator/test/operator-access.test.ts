import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { Emulator } from '../src/index.js';
import { emulator, operator } from './harness.js';

/**
 * Issue 9, item 9: a web page in the developer's browser must not be able to drive the operator API —
 * no `text/plain` (or form) write, no request addressed to another host name — unless the emulator was
 * started with an operator token, which is then required.
 */

/** Sends one request with exactly these headers (fetch would not let us set Host). */
function send(emu: Emulator, method: string, path: string, headers: Record<string, string>, body = '') {
  return new Promise<{ status: number; body: any; headers: Record<string, unknown> }>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: emu.port,
        method,
        path,
        // An empty Host means none at all (Node would otherwise fill in its own).
        setHost: false,
        headers: Object.fromEntries(
          Object.entries({ ...headers, 'content-length': String(Buffer.byteLength(body)) }).filter(
            ([name, value]) => name !== 'host' || value !== '',
          ),
        ),
      },
      (res) => {
        let text = '';
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: text ? JSON.parse(text) : undefined,
            headers: res.headers,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const FAULT = JSON.stringify({ action: '*', code: 'Throttling.User', httpStatus: 400 });
const host = (emu: Emulator) => `127.0.0.1:${emu.port}`;

describe('operator API: cross-site requests are refused', () => {
  it('refuses a text/plain write (what a page can send without a preflight) and changes nothing', async () => {
    const emu = await emulator();
    for (const type of [
      'text/plain',
      'text/plain;charset=UTF-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      '',
    ]) {
      const headers: Record<string, string> = { host: host(emu) };
      if (type) headers['content-type'] = type;
      const answer = await send(emu, 'POST', '/_emulator/faults', headers, FAULT);
      expect([type, answer.status, answer.body.error]).toEqual([
        type,
        415,
        'operator writes must be sent as Content-Type: application/json',
      ]);
      const clock = await send(emu, 'POST', '/_emulator/clock', headers, '{"advance":"30d"}');
      expect(clock.status).toBe(415);
    }
    expect((await operator(emu, 'GET', 'faults')).body).toEqual({ faults: [], caps: [] });
    expect((await operator(emu, 'GET', 'clock')).body.offsetMs).toBe(0);
  });

  it('refuses a request addressed to another host name (DNS rebinding), reads included, and changes nothing', async () => {
    const emu = await emulator();
    for (const name of [
      'attacker.example',
      `attacker.example:${emu.port}`,
      '127.0.0.1',
      `127.0.0.2:${emu.port}`,
    ]) {
      const headers = { host: name, 'content-type': 'application/json' };
      const write = await send(emu, 'POST', '/_emulator/faults', headers, FAULT);
      expect([name, write.status]).toEqual([name, 403]);
      expect(write.body.error).toMatch(
        /^the operator API answers only requests addressed to 127\.0\.0\.1:\d+, /,
      );
      const read = await send(emu, 'GET', '/_emulator/bindings', { host: name });
      expect([name, read.status]).toEqual([name, 403]);
    }
    // No Host at all: Node's HTTP server refuses an HTTP/1.1 request like that before we see it.
    expect(
      (await send(emu, 'POST', '/_emulator/faults', { host: '', 'content-type': 'application/json' }, FAULT))
        .status,
    ).toBe(400);
    expect((await operator(emu, 'GET', 'faults')).body).toEqual({ faults: [], caps: [] });
  });

  it('answers its own loopback names: 127.0.0.1, localhost and [::1] with the port', async () => {
    const emu = await emulator();
    for (const name of [
      `127.0.0.1:${emu.port}`,
      `localhost:${emu.port}`,
      `LOCALHOST:${emu.port}`,
      `[::1]:${emu.port}`,
    ]) {
      const answer = await send(emu, 'GET', '/_emulator/health', { host: name });
      expect([name, answer.status]).toEqual([name, 200]);
    }
    const json = await send(
      emu,
      'POST',
      '/_emulator/clock',
      { host: host(emu), 'content-type': 'application/json; charset=utf-8' },
      '{"advance":"1h"}',
    );
    expect(json.status).toBe(200);
    // A DELETE without a body needs no content type: browsers cannot send one cross-site without a preflight.
    expect((await send(emu, 'DELETE', '/_emulator/faults', { host: host(emu) })).status).toBe(200);
  });

  it('with an operator token: the token is required (any Host), and writes are still JSON only', async () => {
    const emu = await emulator({ operatorToken: 's3cret-operator-token' });
    const json = { 'content-type': 'application/json' };
    const none = await send(emu, 'POST', '/_emulator/faults', { host: host(emu), ...json }, FAULT);
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    for (const authorization of [
      'Bearer wrong',
      'Bearer s3cret-operator-token-and-more',
      'Basic s3cret-operator-token',
      's3cret-operator-token',
    ]) {
      const answer = await send(emu, 'GET', '/_emulator/faults', { host: host(emu), authorization });
      expect([authorization, answer.status]).toEqual([authorization, 401]);
    }
    const authorization = 'Bearer s3cret-operator-token';
    const plain = await send(
      emu,
      'POST',
      '/_emulator/faults',
      { host: 'emulator.internal:80', authorization, 'content-type': 'text/plain' },
      FAULT,
    );
    expect(plain.status).toBe(415);
    expect((await send(emu, 'GET', '/_emulator/faults', { host: host(emu), authorization })).body).toEqual({
      faults: [],
      caps: [],
    });
    const remote = await send(
      emu,
      'POST',
      '/_emulator/faults',
      { host: 'emulator.internal:80', authorization, ...json },
      FAULT,
    );
    expect(remote.status).toBe(200);
    expect(remote.body.faults).toHaveLength(1);
  });
});

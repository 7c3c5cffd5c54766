import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDyplsClient, defaultCredentialChain, QuerySubsId } from '../src/index.js';
import { startScriptedServer } from './scripted-server.js';

// Alibaba Cloud's default credential chain, against local stand-ins only: an aliyun CLI profile in a
// temporary home folder, and a credentials URI served on 127.0.0.1 that hands out STS tokens. The ECS
// metadata service is switched off so that nothing here reaches beyond this machine.

const CHAIN_VARIABLES = [
  'ALIBABA_CLOUD_ACCESS_KEY_ID',
  'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
  'ALIBABA_CLOUD_SECURITY_TOKEN',
  'ALIBABA_CLOUD_ROLE_ARN',
  'ALIBABA_CLOUD_OIDC_PROVIDER_ARN',
  'ALIBABA_CLOUD_OIDC_TOKEN_FILE',
  'ALIBABA_CLOUD_PROFILE',
  'ALIBABA_CLOUD_CREDENTIALS_FILE',
  'ALIBABA_CLOUD_CREDENTIALS_URI',
  'ALIBABA_CLOUD_ECS_METADATA',
  'ALIBABA_CLOUD_ECS_METADATA_DISABLED',
  'HOME',
];
let saved: Record<string, string | undefined> = {};
const closers: Array<() => Promise<void>> = [];
beforeEach(() => {
  saved = Object.fromEntries(CHAIN_VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of CHAIN_VARIABLES) delete process.env[name];
  process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED = 'true';
  process.env.HOME = mkdtempSync(join(tmpdir(), 'axn-home-'));
});
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

const query = { poolKey: 'FC1', phoneNoX: '17000000001' };
const ok = { body: { Code: 'OK', RequestId: 'R', SubsId: '1' } };

describe('the default credential chain', () => {
  it('signs with the keys of an aliyun CLI profile', async () => {
    const home = process.env.HOME as string;
    mkdirSync(join(home, '.aliyun'));
    writeFileSync(
      join(home, '.aliyun', 'config.json'),
      JSON.stringify({
        current: 'other',
        profiles: [
          { name: 'other', mode: 'AK', access_key_id: 'wrong', access_key_secret: 'wrong-secret' },
          { name: 'axnbot', mode: 'AK', access_key_id: 'profile-id', access_key_secret: 'profile-secret' },
        ],
      }),
    );
    process.env.ALIBABA_CLOUD_PROFILE = 'axnbot';
    // The scripted server refuses (599) any signature not made with this secret.
    const server = await startScriptedServer(() => ok, 'profile-secret');
    closers.push(server.close);
    const client = createDyplsClient({
      endpoint: server.url,
      credentials: defaultCredentialChain(),
      signature: 'v2',
    });
    closers.push(() => client.close());
    expect((await client.call(QuerySubsId, query)).subsIds).toEqual(['1']);
    expect(server.seen[0]?.params.AccessKeyId).toBe('profile-id');
  });

  it('keeps working across an STS refresh from a credentials URI, with no restart', async () => {
    let issued = 0;
    const broker = createServer((_req, res) => {
      issued += 1;
      // Ten minutes to live: inside the refresh window, so the next request fetches a fresh token.
      const expiration = new Date(Date.now() + 10 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          Code: 'Success',
          AccessKeyId: 'STS.id',
          AccessKeySecret: 'sts-secret',
          SecurityToken: `token-${issued}`,
          Expiration: expiration,
        }),
      );
    });
    await new Promise<void>((resolve) => broker.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => broker.close(() => resolve())));
    process.env.ALIBABA_CLOUD_CREDENTIALS_URI = `http://127.0.0.1:${(broker.address() as AddressInfo).port}/creds`;
    const server = await startScriptedServer(() => ok, 'sts-secret');
    closers.push(server.close);
    const client = createDyplsClient({
      endpoint: server.url,
      credentials: defaultCredentialChain(),
      signature: 'v2',
    });
    closers.push(() => client.close());
    await client.call(QuerySubsId, query);
    await client.call(QuerySubsId, query);
    expect(server.seen.map((request) => request.params.SecurityToken)).toEqual(['token-1', 'token-2']);
  });

  it('finding nothing names what a user can set, never the SDK’s option names', async () => {
    const client = createDyplsClient({
      endpoint: 'http://127.0.0.1:9',
      credentials: defaultCredentialChain(),
    });
    closers.push(() => client.close());
    const error = await client.call(QuerySubsId, query).then(
      () => undefined,
      (failure: unknown) => failure as { code: string; message: string },
    );
    expect(error?.code).toBe('local.CONFIG');
    for (const words of [
      'ALIBABA_CLOUD_ACCESS_KEY_ID',
      'ALIBABA_CLOUD_PROFILE',
      'ALIBABA_CLOUD_CREDENTIALS_URI',
      'RAM role',
    ]) {
      expect(error?.message).toContain(words);
    }
    expect(error?.message).not.toContain('credentials.accessKeyId');
  });
});

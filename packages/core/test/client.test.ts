import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AxnError,
  BindAxnExtension,
  createDyplsClient,
  describeError,
  KNOWN_ERROR_CODES,
  QuerySubscriptionDetail,
  QuerySubsId,
  TokenBucket,
} from '../src/index.js';
import { type Answer, freePort, type SeenRequest, startScriptedServer } from './scripted-server.js';

const credentials = { accessKeyId: 'testid', accessKeySecret: 'testsecret' };
const bindInput = {
  poolKey: 'FC100000000000000',
  phoneNoA: '13800138000',
  expiration: '2030-01-01 12:00:00',
  expectCity: '北京',
};
const bound = {
  Code: 'OK',
  Message: 'OK',
  RequestId: 'REQ-1',
  SecretBindDTO: { Extension: '130', SubsId: '1000000000000003', SecretNo: '17000000001' },
};
const fastRetry = { baseDelayMs: 1, maxDelayMs: 5 };

const servers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(script: (request: SeenRequest, index: number) => Answer, secret?: string) {
  const server = await startScriptedServer(script, secret);
  servers.push(server);
  return server;
}

async function rejection(promise: Promise<unknown>): Promise<AxnError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AxnError);
    return error as AxnError;
  }
  throw new Error('expected the call to fail');
}

describe('client against a verifying server', () => {
  it.each([
    ['v3', 'POST'],
    ['v3', 'GET'],
    ['v2', 'POST'],
    ['v2', 'GET'],
  ] as const)('signs %s %s so the verifier accepts it, and decodes the answer', async (signature, method) => {
    const server = await serve(() => ({ body: bound }));
    const client = createDyplsClient({ endpoint: server.url, credentials, signature, method });
    const out = await client.call(BindAxnExtension, bindInput);
    expect(out).toEqual({
      requestId: 'REQ-1',
      subsId: '1000000000000003',
      secretNo: '17000000001',
      extension: '130',
    });
    expect(server.seen).toHaveLength(1);
    expect(server.seen[0]).toMatchObject({ method, signature, action: 'BindAxnExtension' });
    expect(server.seen[0]?.params).toMatchObject({
      PhoneNoA: '13800138000',
      ExpectCity: '北京',
      Expiration: '2030-01-01 12:00:00',
    });
    await client.close();
  });

  it('keeps a 20-digit SubsId sent as a bare JSON number intact', async () => {
    const server = await serve(() => ({
      body: '{"Code":"OK","RequestId":"R","SecretBindDTO":{"Extension":"7","SubsId":12345678901234567891,"SecretNo":"17000000001"}}',
    }));
    const client = createDyplsClient({ endpoint: server.url, credentials });
    expect((await client.call(BindAxnExtension, bindInput)).subsId).toBe('12345678901234567891');
    await client.close();
  });

  it('treats HTTP 200 with Code other than OK as an error with the server message and RequestId', async () => {
    const server = await serve(() => ({
      body: { Code: 'isv.BIND_CONFLICT', Message: 'isv.BIND_CONFLICT', RequestId: 'REQ-C' },
    }));
    const client = createDyplsClient({ endpoint: server.url, credentials });
    const error = await rejection(client.call(BindAxnExtension, bindInput));
    expect(error).toMatchObject({
      code: 'isv.BIND_CONFLICT',
      category: 'conflict',
      retryable: false,
      httpStatus: 200,
      requestId: 'REQ-C',
      action: 'BindAxnExtension',
    });
    expect(server.seen).toHaveLength(1);
  });

  it('turns a gateway 400 into an error carrying RequestId and Recommend', async () => {
    const server = await serve(() => ({
      status: 400,
      body: {
        Code: 'InvalidAccessKeyId.NotFound',
        Message: 'Specified access key is not found.',
        RequestId: 'REQ-G',
        HostId: 'dyplsapi.aliyuncs.com',
        Recommend: 'https://api.aliyun.com/troubleshoot?q=InvalidAccessKeyId.NotFound',
      },
    }));
    const client = createDyplsClient({ endpoint: server.url, credentials });
    const error = await rejection(client.call(QuerySubsId, { poolKey: 'FC1', phoneNoX: '17000000001' }));
    expect(error).toMatchObject({
      code: 'InvalidAccessKeyId.NotFound',
      category: 'auth',
      httpStatus: 400,
      requestId: 'REQ-G',
      hostId: 'dyplsapi.aliyuncs.com',
    });
    expect(error.recommend).toContain('troubleshoot');
  });

  it('turns a non-JSON body into local.DECODE with the status and the first 200 characters', async () => {
    const html = `<html>${'x'.repeat(400)}</html>`;
    const server = await serve(() => ({ raw: html, status: 502 }));
    const client = createDyplsClient({ endpoint: server.url, credentials });
    // A read: for a write, the same answer is an unknown outcome (tested below).
    const error = await rejection(client.call(QuerySubsId, { poolKey: 'FC1', phoneNoX: '17000000001' }));
    expect(error.code).toBe('local.DECODE');
    expect(error.httpStatus).toBe(502);
    expect(error.message).toContain('HTTP 502');
    expect(error.message).toContain(JSON.stringify(html.slice(0, 200)));
    expect(error.message).not.toContain(html.slice(0, 201));
  });

  it('fails validation before any network call', async () => {
    const server = await serve(() => ({ body: bound }));
    const client = createDyplsClient({ endpoint: server.url, credentials });
    const error = await rejection(client.call(BindAxnExtension, { ...bindInput, extension: '130' }));
    expect(error.code).toBe('local.VALIDATION');
    expect(error.message).toBe(
      'BindAxnExtension: extension: an extension can only be given together with phoneNoX',
    );
    expect(server.seen).toHaveLength(0);
  });

  it('retries a throttled answer with a fresh nonce and timestamp, then succeeds', async () => {
    const server = await serve((_request, index) =>
      index < 2
        ? {
            status: 400,
            body: {
              Code: 'Throttling.User',
              Message: 'Request was denied due to user flow control.',
              RequestId: `T${index}`,
            },
          }
        : { body: bound },
    );
    const client = createDyplsClient({ endpoint: server.url, credentials, retry: fastRetry });
    expect((await client.call(BindAxnExtension, bindInput)).subsId).toBe('1000000000000003');
    expect(server.seen).toHaveLength(3);
    expect(new Set(server.seen.map((request) => request.nonce)).size).toBe(3);
  });

  it('gives up on a retryable answer to a read after maxAttempts', async () => {
    const server = await serve(() => ({
      body: { Code: 'isp.SYSTEM_ERROR', Message: 'system error', RequestId: 'S' },
    }));
    const client = createDyplsClient({
      endpoint: server.url,
      credentials,
      retry: { ...fastRetry, maxAttempts: 3 },
    });
    const error = await rejection(client.call(QuerySubsId, { poolKey: 'FC1', phoneNoX: '17000000001' }));
    expect(error.code).toBe('isp.SYSTEM_ERROR');
    expect(server.seen).toHaveLength(3);
  });

  // A server-side failure can come after the write took effect: a write is sent once and reported as
  // an unknown outcome, whatever the signature version or the way the failure is spelled.
  const afterEffectAnswers: Array<[string, Answer]> = [
    ...KNOWN_ERROR_CODES.filter(
      (code) => describeError(code).mayHaveTakenEffect && !code.startsWith('local.'),
    ).map((code): [string, Answer] => [
      code,
      {
        status: code.startsWith('isp.') ? 200 : 503,
        body: { Code: code, Message: 'failed', RequestId: 'F' },
      },
    ]),
    ['HTTP 502 with an HTML body', { raw: '<html>Bad Gateway</html>', status: 502 }],
    ['an undocumented code', { status: 500, body: { Code: 'Some.NewFailure', RequestId: 'F' } }],
  ];
  it.each(afterEffectAnswers)(
    'a bind answered %s is an unknown outcome, sent once',
    async (_name, answer) => {
      for (const signature of ['v3', 'v2'] as const) {
        const server = await serve(() => answer);
        const client = createDyplsClient({ endpoint: server.url, credentials, signature, retry: fastRetry });
        const error = await rejection(client.call(BindAxnExtension, bindInput));
        expect(error.code).toBe('local.OUTCOME_UNKNOWN');
        expect(error.message).toContain('may or may not have taken effect');
        expect(server.seen).toHaveLength(1);
      }
    },
  );

  it.each(
    KNOWN_ERROR_CODES.filter(
      (code) => describeError(code).category === 'throttle' && !code.startsWith('local.'),
    ),
  )('a bind refused with %s (not executed) is tried again', async (code) => {
    const server = await serve((_request, index) =>
      index === 0
        ? { status: 400, body: { Code: code, Message: 'flow control', RequestId: 'T' } }
        : { body: bound },
    );
    const client = createDyplsClient({ endpoint: server.url, credentials, retry: fastRetry });
    expect((await client.call(BindAxnExtension, bindInput)).subsId).toBe('1000000000000003');
    expect(server.seen).toHaveLength(2);
  });

  it('a bind refused for its input is neither retried nor called unknown', async () => {
    const server = await serve(() => ({
      body: { Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: 'bad', RequestId: 'I' },
    }));
    const client = createDyplsClient({ endpoint: server.url, credentials, retry: fastRetry });
    const error = await rejection(client.call(BindAxnExtension, bindInput));
    expect(error.code).toBe('isv.MOBILE_NUMBER_ILLEGAL');
    expect(server.seen).toHaveLength(1);
  });

  it('a slow answer to a bind is an unknown outcome, not a retry', async () => {
    const server = await serve(() => ({ body: bound, delayMs: 1500 }));
    const client = createDyplsClient({ endpoint: server.url, credentials, timeoutMs: 300, retry: fastRetry });
    const error = await rejection(client.call(BindAxnExtension, bindInput));
    expect(error.code).toBe('local.OUTCOME_UNKNOWN');
    expect(server.seen).toHaveLength(1);
  });

  it('a slow answer to a read is local.TIMEOUT within the deadline', async () => {
    const server = await serve(() => ({ body: { Code: 'OK', RequestId: 'R', SubsId: '1' }, delayMs: 1500 }));
    const client = createDyplsClient({ endpoint: server.url, credentials, timeoutMs: 300, retry: fastRetry });
    const started = Date.now();
    const error = await rejection(client.call(QuerySubsId, { poolKey: 'FC1', phoneNoX: '17000000001' }));
    expect(error.code).toBe('local.TIMEOUT');
    expect(Date.now() - started).toBeLessThan(1400);
  });

  it('a connection dropped after the request was written: bind → local.OUTCOME_UNKNOWN, sent once', async () => {
    const server = await serve(() => 'drop');
    const client = createDyplsClient({ endpoint: server.url, credentials, retry: fastRetry });
    const error = await rejection(client.call(BindAxnExtension, bindInput));
    expect(error.code).toBe('local.OUTCOME_UNKNOWN');
    expect(error.message).toContain('may or may not have taken effect');
    expect(server.seen).toHaveLength(1);
  });

  it('a connection dropped after the request was written: a read is retried', async () => {
    const server = await serve((_request, index) =>
      index === 0 ? 'drop' : { body: { Code: 'OK', RequestId: 'R', SubsId: '1,2' } },
    );
    const client = createDyplsClient({ endpoint: server.url, credentials, retry: fastRetry });
    expect((await client.call(QuerySubsId, { poolKey: 'FC1', phoneNoX: '17000000001' })).subsIds).toEqual([
      '1',
      '2',
    ]);
    expect(server.seen).toHaveLength(2);
  });

  it('a connection that failed before the request was written is retried, even for a bind', async () => {
    const port = await freePort();
    let started: Awaited<ReturnType<typeof serve>> | undefined;
    const client = createDyplsClient({
      endpoint: `http://127.0.0.1:${port}`,
      credentials,
      retry: fastRetry,
      // The first try finds nothing listening; the server comes up during the backoff.
      sleep: async () => {
        if (!started) {
          started = await startScriptedServer(() => ({ body: bound }));
          servers.push(started);
          await new Promise<void>((resolve) => {
            started?.server.close();
            started?.server.listen(port, '127.0.0.1', resolve);
          });
        }
      },
    });
    expect((await client.call(BindAxnExtension, bindInput)).secretNo).toBe('17000000001');
    expect(started?.seen).toHaveLength(1);
  });

  it('nothing listening at all: local.NETWORK after the tries, naming the endpoint', async () => {
    const port = await freePort();
    const client = createDyplsClient({ endpoint: `http://127.0.0.1:${port}`, credentials, retry: fastRetry });
    const error = await rejection(client.call(BindAxnExtension, bindInput));
    expect(error.code).toBe('local.NETWORK');
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).toContain('nothing is listening there');
  });
});

describe('client secrets and configuration', () => {
  it('requires credentials, naming the variable', () => {
    expect(() => createDyplsClient({ env: {} })).toThrow(/ALIBABA_CLOUD_ACCESS_KEY_ID/);
    expect(() => createDyplsClient({ env: { ALIBABA_CLOUD_ACCESS_KEY_ID: 'id' } })).toThrow(
      /ALIBABA_CLOUD_ACCESS_KEY_SECRET/,
    );
    const client = createDyplsClient({
      env: { ALIBABA_CLOUD_ACCESS_KEY_ID: 'id', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'sec' },
    });
    expect(client.endpoint).toBe('https://dyplsapi.aliyuncs.com/');
  });

  it('rejects an endpoint that is not http(s)', () => {
    expect(() => createDyplsClient({ credentials, endpoint: 'ftp://x' })).toThrow(/http:\/\/ or https:\/\//);
    expect(() => createDyplsClient({ credentials, endpoint: 'not a url' })).toThrow(/not a URL/);
  });

  it('never shows the secret or the security token in inspect, JSON or errors', async () => {
    const secret = 'S3cr3t-Value-Do-Not-Leak';
    const token = 'STS.Token/With+Chars==';
    const server = await serve(
      (request) => ({
        status: 400,
        // The gateway echoes what it signed, which for V2 includes the security token.
        body: {
          Code: 'SignatureDoesNotMatch',
          Message: `server string to sign is:${JSON.stringify(request.params)}`,
          RequestId: 'X',
        },
      }),
      secret,
    );
    const client = createDyplsClient({
      endpoint: server.url,
      credentials: { accessKeyId: 'id', accessKeySecret: secret, securityToken: token },
      signature: 'v2',
    });
    expect(inspect(client, { depth: 5, showHidden: true })).not.toContain(secret);
    expect(JSON.stringify(client)).not.toContain(secret);
    const error = await rejection(client.call(BindAxnExtension, bindInput));
    expect(server.seen[0]?.params.SecurityToken).toBe(token);
    const shown = [
      error.message,
      error.debugDetail,
      inspect(error, { depth: 5 }),
      JSON.stringify(error),
    ].join('\n');
    expect(shown).not.toContain(secret);
    expect(shown).not.toContain(token);
    expect(shown).not.toContain(server.seen[0]?.params.Signature);
    // The string to sign (every parameter, A and B included) is for an operator's debug log only.
    expect(error.message).not.toContain('string to sign');
    expect(error.message).not.toContain(bindInput.phoneNoA);
    expect(JSON.stringify(error)).not.toContain(bindInput.phoneNoA);
    expect(error.debugDetail).toContain('server string to sign: ');
    expect(error.debugDetail).toContain('***');
    expect(inspect(error)).not.toContain('string to sign');
  });
});

describe('QuerySubscriptionDetail through the client', () => {
  it('decodes the detail with status and SubsId', async () => {
    const server = await serve(() => ({
      body: '{"Code":"OK","RequestId":"R","SecretBindDetailDTO":{"SubsId":98765432109876543210,"PhoneNoA":"13800138000","PhoneNoX":"17000000001","Extension":"130","Status":1,"ExpireDate":"2030-01-01 12:00:00","GroupId":0}}',
    }));
    const client = createDyplsClient({ endpoint: server.url, credentials, signature: 'v2', method: 'GET' });
    const detail = await client.call(QuerySubscriptionDetail, {
      poolKey: 'FC1',
      subsId: '1',
      phoneNoX: '17000000001',
    });
    expect(detail).toMatchObject({ subsId: '98765432109876543210', status: 'active', extension: '130' });
  });
});

describe('TokenBucket', () => {
  it('lets a burst through, then spaces callers at the rate', () => {
    let now = 0;
    const bucket = new TokenBucket(
      10,
      () => now,
      async () => {},
      2,
    );
    expect([bucket.reserve(), bucket.reserve()]).toEqual([0, 0]);
    expect(bucket.reserve()).toBeCloseTo(100);
    expect(bucket.reserve()).toBeCloseTo(200);
    now = 1000;
    expect(bucket.reserve()).toBe(0);
  });
});

describe('client limiter hook', () => {
  it('waits on the given limiter before every try, retries included, in place of maxQps', async () => {
    const server = await serve((_, index) =>
      index === 0 ? { status: 503, body: { Code: 'Throttling', RequestId: 'R-T' } } : { body: bound },
    );
    const order: string[] = [];
    const limiter = {
      async acquire() {
        order.push(`acquire ${server.seen.length}`);
      },
    };
    // maxQps 1 would hold the retry for a second; the limiter replaces it.
    const client = createDyplsClient({
      endpoint: server.url,
      credentials,
      limiter,
      maxQps: 1,
      retry: fastRetry,
    });
    await client.call(BindAxnExtension, bindInput);
    expect(order).toEqual(['acquire 0', 'acquire 1']);
    expect(server.seen).toHaveLength(2);
    await client.close();
  });

  it('starts the call’s deadline after its first turn at the limiter: waiting in line is not the call', async () => {
    const server = await serve(() => ({ body: bound }));
    let clock = 1_000_000;
    // The turn comes 20 s later, twice the deadline: the call still has its whole 10 s after it.
    const limiter = {
      async acquire() {
        clock += 20_000;
      },
    };
    const client = createDyplsClient({
      endpoint: server.url,
      credentials,
      limiter,
      timeoutMs: 10_000,
      now: () => clock,
    });
    await expect(client.call(BindAxnExtension, bindInput)).resolves.toMatchObject({
      subsId: '1000000000000003',
    });
    await client.close();
  });
});

describe('client logging', () => {
  it('logs each call once, and the gateway detail at debug with numbers masked and no secret', async () => {
    const lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
    const at = (level: string) => (message: string, fields?: Record<string, unknown>) =>
      lines.push({ level, message, fields });
    const logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
    const secret = 'Log-Secret-Value';
    const server = await serve(
      (request, index) =>
        index === 0
          ? { body: { Code: 'OK', RequestId: 'R-OK', SubsId: '1' } }
          : {
              status: 400,
              body: {
                Code: 'SignatureDoesNotMatch',
                Message: `Specified signature is not matched with our calculation. server string to sign is:${JSON.stringify(request.params)}`,
                RequestId: 'R-SIG',
              },
            },
      secret,
    );
    const client = createDyplsClient({
      endpoint: server.url,
      credentials: { accessKeyId: 'id', accessKeySecret: secret },
      signature: 'v2',
      logger,
    });
    await client.call(QuerySubsId, { poolKey: 'FC1', phoneNoX: '17000000001' });
    await rejection(client.call(BindAxnExtension, { ...bindInput, phoneNoB: '13987654320' }));
    expect(lines.map((line) => [line.level, line.message])).toEqual([
      ['info', 'aliyun call'],
      ['warn', 'aliyun call failed'],
      ['debug', 'aliyun gateway detail'],
    ]);
    expect(lines[0]?.fields).toMatchObject({
      action: 'QuerySubsId',
      code: 'OK',
      requestId: 'R-OK',
      tries: 1,
    });
    expect(lines[1]?.fields).toMatchObject({
      action: 'BindAxnExtension',
      code: 'SignatureDoesNotMatch',
      requestId: 'R-SIG',
    });
    const all = JSON.stringify(lines);
    expect(all).toContain('string to sign');
    expect(all).toContain('139****4320');
    expect(all).not.toContain('13987654320');
    expect(all).not.toContain(bindInput.phoneNoA);
    expect(all).not.toContain(secret);
  });
});

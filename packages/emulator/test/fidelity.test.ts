import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { after, DAY, emulator } from './harness.js';

// The official SDKs are CommonJS packages; load them as their users do.
const require = createRequire(import.meta.url);
const DyplsClient = require('@alicloud/dyplsapi-2017-05-25');
const OpenApi = require('@alicloud/openapi-client');
const TeaUtil = require('@alicloud/tea-util');

describe('the official pop-core SDK (@alicloud/dyplsapi-2017-05-25) against the emulator', () => {
  it.each(['GET', 'POST'])('binds, queries, updates and unbinds over %s', async (method) => {
    const emu = await emulator();
    const client = new DyplsClient({
      endpoint: emu.url,
      accessKeyId: 'testid',
      accessKeySecret: 'testsecret',
    });
    const opts = { method, timeout: 5000 };
    const bound = await client.bindAxnExtension(
      {
        PoolKey: 'FC-DEMO',
        PhoneNoA: '13800138000',
        Expiration: after(emu, 2 * DAY),
        ExpectCity: '上海',
        IsRecordingEnabled: true,
      },
      opts,
    );
    expect(bound.Code).toBe('OK');
    const { SubsId, SecretNo, Extension } = bound.SecretBindDTO;
    // pop-core parses with json-bigint; the emulator sends SubsId as a string above 2^53, kept exact.
    expect(String(SubsId)).toMatch(/^\d{19}$/);
    expect(Extension).toMatch(/^\d{3}$/);
    const detail = await client.querySubscriptionDetail(
      { PoolKey: 'FC-DEMO', SubsId, PhoneNoX: SecretNo },
      opts,
    );
    expect(detail.SecretBindDetailDTO).toMatchObject({
      PhoneNoA: '13800138000',
      PhoneNoX: SecretNo,
      Extension,
      Status: 1,
      NeedRecord: true,
    });
    const ids = await client.request('QuerySubsId', { PoolKey: 'FC-DEMO', PhoneNoX: SecretNo }, opts);
    expect(String(ids.SubsId).split(',')).toContain(String(SubsId));
    const updated = await client.updateSubscription(
      {
        PoolKey: 'FC-DEMO',
        SubsId,
        PhoneNoX: SecretNo,
        OperateType: 'updateExpire',
        Expiration: after(emu, 5 * DAY),
      },
      opts,
    );
    expect(updated.Code).toBe('OK');
    const unbound = await client.unbindSubscription({ PoolKey: 'FC-DEMO', SubsId, SecretNo }, opts);
    expect(unbound.Code).toBe('OK');
    const gone = await client.request('QuerySubsId', { PoolKey: 'FC-DEMO', PhoneNoX: SecretNo }, opts);
    expect(String(gone.SubsId ?? '').split(',')).not.toContain(String(SubsId));
  });

  it('rejects with err.code equal to the Aliyun code, as it would from Aliyun', async () => {
    const emu = await emulator();
    const client = new DyplsClient({
      endpoint: emu.url,
      accessKeyId: 'testid',
      accessKeySecret: 'testsecret',
    });
    const error = await client
      .bindAxnExtension({ PoolKey: 'FC-DEMO', PhoneNoA: '13800138000', Expiration: after(emu, 30_000) })
      .then(
        () => undefined,
        (e: { code: string; name: string; data: Record<string, unknown> }) => e,
      );
    expect(error?.code).toBe('isv.EXPIRE_DATE_ILLEGAL');
    expect(error?.name).toBe('isv.EXPIRE_DATE_ILLEGALError');
    expect(error?.data.Message).toBe('expireDate less than 1 minutes from now');
    const badKey = new DyplsClient({ endpoint: emu.url, accessKeyId: 'testid', accessKeySecret: 'wrong' });
    const signatureError = await badKey
      .request('QuerySubsId', { PoolKey: 'FC-DEMO', PhoneNoX: '17000000001' })
      .catch((e: { code: string }) => e);
    expect(signatureError.code).toBe('SignatureDoesNotMatch');
  });
});

describe('the official @alicloud/openapi-client against the emulator', () => {
  function openApiClient(
    endpoint: string,
    signatureAlgorithm?: 'v2',
    keys = { accessKeyId: 'testid', accessKeySecret: 'testsecret' },
  ) {
    const url = new URL(endpoint);
    const config = new OpenApi.Config({
      ...keys,
      endpoint: url.host,
      protocol: 'http',
      ...(signatureAlgorithm ? { signatureAlgorithm } : {}),
    });
    const client = new OpenApi.default(config);
    return (action: string, query: Record<string, string>) =>
      client.callApi(
        new OpenApi.Params({
          action,
          version: '2017-05-25',
          protocol: 'HTTP',
          pathname: '/',
          method: 'POST',
          authType: 'AK',
          style: 'RPC',
          reqBodyType: 'formData',
          bodyType: 'json',
        }),
        new OpenApi.OpenApiRequest({ query }),
        new TeaUtil.RuntimeOptions({}),
      ) as Promise<{ body: Record<string, unknown>; statusCode: number }>;
  }

  it.each([
    ['V3 (ACS3-HMAC-SHA256)', undefined],
    ['V2 (HMAC-SHA1)', 'v2' as const],
  ])('binds, queries, updates and unbinds through its %s path', async (_name, algorithm) => {
    const emu = await emulator();
    const call = openApiClient(emu.url, algorithm);
    const bound = await call('BindAxnExtension', {
      PoolKey: 'FC-DEMO',
      PhoneNoA: '13900139000',
      Expiration: after(emu, DAY),
      ExpectCity: '北京',
    });
    expect(bound.statusCode).toBe(200);
    const dto = bound.body.SecretBindDTO as { SubsId: string; SecretNo: string; Extension: string };
    expect(dto.SecretNo).toMatch(/^170000000(0[1-5])$/);
    const detail = await call('QuerySubscriptionDetail', {
      PoolKey: 'FC-DEMO',
      SubsId: dto.SubsId,
      PhoneNoX: dto.SecretNo,
    });
    expect(detail.body.SecretBindDetailDTO).toMatchObject({
      SubsId: dto.SubsId,
      Status: 1,
      PhoneNoA: '13900139000',
    });
    const update = await call('UpdateSubscription', {
      PoolKey: 'FC-DEMO',
      SubsId: dto.SubsId,
      PhoneNoX: dto.SecretNo,
      OperateType: 'updateNoB',
      PhoneNoB: '13700137000',
    });
    expect(update.body.Code).toBe('OK');
    const unbind = await call('UnbindSubscription', {
      PoolKey: 'FC-DEMO',
      SubsId: dto.SubsId,
      SecretNo: dto.SecretNo,
    });
    expect(unbind.body.Code).toBe('OK');
  });

  it('sees a gateway refusal as an error carrying the code', async () => {
    const emu = await emulator();
    const call = openApiClient(emu.url, undefined, { accessKeyId: 'nobody', accessKeySecret: 'x' });
    const error = await call('QuerySubsId', { PoolKey: 'FC-DEMO', PhoneNoX: '17000000001' }).catch(
      (e: { code: string }) => e,
    );
    expect((error as { code: string }).code).toBe('InvalidAccessKeyId.NotFound');
  });
});

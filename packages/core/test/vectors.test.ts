import { describe, expect, it } from 'vitest';
import { signAcs3, signRpcV2, verifyAcs3, verifyRpcV2 } from '../src/index.js';

/** Reference §4: every V2 vector, with its intermediate strings where the reference gives them. */
const common41 = {
  AccessKeyId: 'testid',
  Action: 'DescribeRegions',
  Format: 'XML',
  SignatureMethod: 'HMAC-SHA1',
  SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
  SignatureVersion: '1.0',
  Version: '2014-05-26',
};
const dypls = {
  AccessKeyId: 'testid',
  Action: 'BindAxnExtension',
  Version: '2017-05-25',
  Format: 'JSON',
  SignatureMethod: 'HMAC-SHA1',
  SignatureVersion: '1.0',
  SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
  Timestamp: '2016-02-23T12:46:24Z',
  PoolKey: 'FC100000000000000',
  PhoneNoA: '13800000000',
  Expiration: '2030-01-01 12:00:00',
};

interface V2Vector {
  name: string;
  params: Record<string, string>;
  method: 'GET' | 'POST';
  secret: string;
  signature: string;
  canonicalQuery?: string;
  stringToSign?: string;
}

const v2Vectors: V2Vector[] = [
  {
    name: '4.1 DescribeRegions GET',
    params: { ...common41, Timestamp: '2016-02-23T12:46:24Z' },
    method: 'GET',
    secret: 'testsecret',
    canonicalQuery:
      'AccessKeyId=testid&Action=DescribeRegions&Format=XML&SignatureMethod=HMAC-SHA1&SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf&SignatureVersion=1.0&Timestamp=2016-02-23T12%3A46%3A24Z&Version=2014-05-26',
    stringToSign:
      'GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26',
    signature: 'OLeaidS1JvxuMvnyHOwuJ+uX5qY=',
  },
  {
    name: '4.1 DescribeRegions POST',
    params: { ...common41, Timestamp: '2016-02-23T12:46:24Z' },
    method: 'POST',
    secret: 'testsecret',
    signature: 'MxbnVAM4w6sft9xjVpe/GCKueuk=',
  },
  {
    name: '4.2 TimeStamp spelling',
    params: { ...common41, TimeStamp: '2016-02-23T12:46:24Z' },
    method: 'GET',
    secret: 'testsecret',
    stringToSign:
      'GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26TimeStamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26',
    signature: 'CT9X0VtwR86fNWSnsc6v8YGOjuE=',
  },
  {
    name: '4.3 DescribeDedicatedHosts',
    params: {
      AccessKeyId: 'testid',
      Action: 'DescribeDedicatedHosts',
      Format: 'JSON',
      RegionId: 'cn-beijing',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: 'edb2b34af0af9a6d14deaf7c1a5315eb',
      SignatureVersion: '1.0',
      Timestamp: '2023-03-13T08:34:30Z',
      Version: '2014-05-26',
    },
    method: 'GET',
    secret: 'testsecret',
    canonicalQuery:
      'AccessKeyId=testid&Action=DescribeDedicatedHosts&Format=JSON&RegionId=cn-beijing&SignatureMethod=HMAC-SHA1&SignatureNonce=edb2b34af0af9a6d14deaf7c1a5315eb&SignatureVersion=1.0&Timestamp=2023-03-13T08%3A34%3A30Z&Version=2014-05-26',
    stringToSign:
      'GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeDedicatedHosts%26Format%3DJSON%26RegionId%3Dcn-beijing%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3Dedb2b34af0af9a6d14deaf7c1a5315eb%26SignatureVersion%3D1.0%26Timestamp%3D2023-03-13T08%253A34%253A30Z%26Version%3D2014-05-26',
    signature: '9NaGiOspFP5UPcwX8Iwt2YJXXuk=',
  },
  {
    name: '4.4 SendSms with Chinese SignName',
    params: {
      AccessKeyId: 'testId',
      Action: 'SendSms',
      Format: 'XML',
      OutId: '123',
      PhoneNumbers: '15300000001',
      RegionId: 'cn-hangzhou',
      SignName: '阿里云短信测试专用',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: '45e25e9b-0a6f-4070-8c85-2956eda1b466',
      SignatureVersion: '1.0',
      TemplateCode: 'SMS_71390007',
      TemplateParam: '{"customer":"test"}',
      Timestamp: '2017-07-12T02:42:19Z',
      Version: '2017-05-25',
    },
    method: 'GET',
    secret: 'testSecret',
    canonicalQuery:
      'AccessKeyId=testId&Action=SendSms&Format=XML&OutId=123&PhoneNumbers=15300000001&RegionId=cn-hangzhou&SignName=%E9%98%BF%E9%87%8C%E4%BA%91%E7%9F%AD%E4%BF%A1%E6%B5%8B%E8%AF%95%E4%B8%93%E7%94%A8&SignatureMethod=HMAC-SHA1&SignatureNonce=45e25e9b-0a6f-4070-8c85-2956eda1b466&SignatureVersion=1.0&TemplateCode=SMS_71390007&TemplateParam=%7B%22customer%22%3A%22test%22%7D&Timestamp=2017-07-12T02%3A42%3A19Z&Version=2017-05-25',
    signature: 'zJDF+Lrzhj/ThnlvIToysFRq6t4=',
  },
  {
    name: '4.5 dyplsapi BindAxnExtension GET',
    params: dypls,
    method: 'GET',
    secret: 'testsecret',
    canonicalQuery:
      'AccessKeyId=testid&Action=BindAxnExtension&Expiration=2030-01-01%2012%3A00%3A00&Format=JSON&PhoneNoA=13800000000&PoolKey=FC100000000000000&SignatureMethod=HMAC-SHA1&SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf&SignatureVersion=1.0&Timestamp=2016-02-23T12%3A46%3A24Z&Version=2017-05-25',
    stringToSign:
      'GET&%2F&AccessKeyId%3Dtestid%26Action%3DBindAxnExtension%26Expiration%3D2030-01-01%252012%253A00%253A00%26Format%3DJSON%26PhoneNoA%3D13800000000%26PoolKey%3DFC100000000000000%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2017-05-25',
    signature: 'uuagLvQzMtE219eq+/gzl2kL8JI=',
  },
  {
    name: '4.5 dyplsapi BindAxnExtension POST',
    params: dypls,
    method: 'POST',
    secret: 'testsecret',
    signature: 'utTpRiAwjB4ecY+58s4Bz3DTV0I=',
  },
  {
    name: '4.5 dyplsapi with city, recording and a reserved-character OutId',
    params: { ...dypls, ExpectCity: '北京', IsRecordingEnabled: 'true', OutId: "a b*c~d!'()" },
    method: 'GET',
    secret: 'testsecret',
    signature: '6QgwbVpDEDM+V3ScgilsoF+KY3c=',
  },
];

describe('signRpcV2 — reference vectors', () => {
  it.each(v2Vectors)('$name', (vector) => {
    const signed = signRpcV2(vector.params, vector.method, vector.secret);
    expect(signed.signature).toBe(vector.signature);
    if (vector.canonicalQuery) expect(signed.canonicalQuery).toBe(vector.canonicalQuery);
    if (vector.stringToSign) expect(signed.stringToSign).toBe(vector.stringToSign);
    expect(signed.stringToSign.startsWith(`${vector.method}&%2F&`)).toBe(true);
  });

  it('puts the reserved characters of OutId into the canonical query in order', () => {
    const signed = signRpcV2(
      { ...dypls, ExpectCity: '北京', IsRecordingEnabled: 'true', OutId: "a b*c~d!'()" },
      'GET',
      'testsecret',
    );
    expect(signed.canonicalQuery).toContain('ExpectCity=%E5%8C%97%E4%BA%AC&Expiration=');
    expect(signed.canonicalQuery).toContain(
      '&IsRecordingEnabled=true&OutId=a%20b%2Ac~d%21%27%28%29&PhoneNoA=',
    );
  });

  it('ignores a Signature parameter', () => {
    const withSignature = signRpcV2({ ...dypls, Signature: 'anything' }, 'GET', 'testsecret');
    expect(withSignature.signature).toBe('uuagLvQzMtE219eq+/gzl2kL8JI=');
  });
});

describe('verifyRpcV2', () => {
  it('accepts each vector with its signature', () => {
    for (const vector of v2Vectors) {
      expect(
        verifyRpcV2({ ...vector.params, Signature: vector.signature }, vector.method, vector.secret),
      ).toEqual({ ok: true });
    }
  });

  it('refuses a wrong secret and reports the server string to sign', () => {
    const result = verifyRpcV2({ ...dypls, Signature: 'uuagLvQzMtE219eq+/gzl2kL8JI=' }, 'GET', 'othersecret');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toBe('mismatch');
    expect(result.stringToSign).toBe(v2Vectors[5]?.stringToSign);
    expect(result.message).toBe(
      `Specified signature is not matched with our calculation. server string to sign is:${v2Vectors[5]?.stringToSign}`,
    );
  });

  it('refuses the GET signature on a POST', () => {
    const result = verifyRpcV2({ ...dypls, Signature: 'uuagLvQzMtE219eq+/gzl2kL8JI=' }, 'POST', 'testsecret');
    expect(result).toMatchObject({ ok: false, reason: 'mismatch' });
  });

  it('refuses a missing signature and an unsupported method', () => {
    expect(verifyRpcV2(dypls, 'GET', 'testsecret')).toMatchObject({ ok: false, reason: 'missing' });
    expect(
      verifyRpcV2({ ...dypls, SignatureMethod: 'HMAC-SHA256', Signature: 'x' }, 'GET', 'testsecret'),
    ).toMatchObject({
      ok: false,
      reason: 'unsupported-method',
    });
  });
});

describe('signAcs3 — reference vectors', () => {
  it('5.1 official ECS RunInstances vector', () => {
    const signed = signAcs3(
      {
        method: 'POST',
        query: { ImageId: 'win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd', RegionId: 'cn-shanghai' },
        headers: {
          host: 'ecs.cn-shanghai.aliyuncs.com',
          'x-acs-action': 'RunInstances',
          'x-acs-version': '2014-05-26',
          'x-acs-date': '2023-10-26T10:22:32Z',
          'x-acs-signature-nonce': '3156853299f313e23d1673dc12e1703d',
          'x-acs-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        },
      },
      'YourAccessKeyId',
      'YourAccessKeySecret',
    );
    expect(signed.canonicalRequest).toBe(
      [
        'POST',
        '/',
        'ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai',
        'host:ecs.cn-shanghai.aliyuncs.com',
        'x-acs-action:RunInstances',
        'x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        'x-acs-date:2023-10-26T10:22:32Z',
        'x-acs-signature-nonce:3156853299f313e23d1673dc12e1703d',
        'x-acs-version:2014-05-26',
        '',
        'host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version',
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      ].join('\n'),
    );
    expect(signed.hashedCanonicalRequest).toBe(
      '7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259',
    );
    expect(signed.stringToSign).toBe(
      'ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259',
    );
    expect(signed.signature).toBe('06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0');
    expect(signed.authorization).toBe(
      'ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0',
    );
  });

  const dyplsV3 = {
    method: 'POST',
    query: { PoolKey: 'FC100000000000000', PhoneNoA: '13800000000', Expiration: '2030-01-01 12:00:00' },
    headers: {
      host: 'dyplsapi.aliyuncs.com',
      'x-acs-action': 'BindAxnExtension',
      'x-acs-version': '2017-05-25',
      'x-acs-date': '2023-10-26T10:22:32Z',
      'x-acs-signature-nonce': '3156853299f313e23d1673dc12e1703d',
      'x-acs-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    },
  };

  it('5.2 dyplsapi BindAxnExtension vector', () => {
    const signed = signAcs3(dyplsV3, 'testid', 'testsecret');
    expect(signed.canonicalRequest.split('\n')[2]).toBe(
      'Expiration=2030-01-01%2012%3A00%3A00&PhoneNoA=13800000000&PoolKey=FC100000000000000',
    );
    expect(signed.hashedCanonicalRequest).toBe(
      '98eaf1d40dc273c8b315aff32fe9e2fe8aa9a24018bf63e8b804589961ca5534',
    );
    expect(signed.authorization).toBe(
      'ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=1baee30755ffe2376fb976f1e66fee8137caf098ac602079bfc95d7d7fc3a791',
    );
  });

  it('verifyAcs3 accepts the 5.2 request and refuses a tampered one', () => {
    const { authorization } = signAcs3(dyplsV3, 'testid', 'testsecret');
    const headers = { ...dyplsV3.headers, authorization, 'user-agent': 'not signed' };
    expect(verifyAcs3({ ...dyplsV3, headers }, 'testsecret')).toEqual({ ok: true });
    const tampered = verifyAcs3(
      { ...dyplsV3, query: { ...dyplsV3.query, PhoneNoA: '13900000000' }, headers },
      'testsecret',
    );
    expect(tampered).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(verifyAcs3({ ...dyplsV3, headers }, 'wrong')).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(verifyAcs3({ ...dyplsV3, headers, body: 'X=1' }, 'testsecret')).toMatchObject({
      ok: false,
      reason: 'mismatch',
    });
    expect(verifyAcs3({ ...dyplsV3, headers: dyplsV3.headers }, 'testsecret')).toMatchObject({
      ok: false,
      reason: 'malformed',
    });
  });
});

// @axnbot/core benchmarks: signing against openapi-util and the HMAC floor; client CPU per call against
// pop-core's RPCClient on the same local server.
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { bestOf, fmt, microsPerOp, startChild } from '../../../scripts/bench-kit.mjs';
import { BindAxnExtension, createDyplsClient, signAcs3, signRpcV2 } from '../dist/index.js';

const require = createRequire(import.meta.url);
const OpenApiUtil = require('@alicloud/openapi-util').default;
const RPCClient = require('@alicloud/pop-core').RPCClient;

/** A 14-parameter BindAxnExtension request, as the product's users send it. */
const PARAMS = {
  AccessKeyId: 'testid',
  Action: 'BindAxnExtension',
  Version: '2017-05-25',
  Format: 'JSON',
  SignatureMethod: 'HMAC-SHA1',
  SignatureVersion: '1.0',
  SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
  Timestamp: '2026-11-28T12:00:00Z',
  PoolKey: 'FC100000000000000',
  PhoneNoA: '13800138000',
  Expiration: '2026-11-30 12:00:00',
  ExpectCity: '北京',
  IsRecordingEnabled: 'false',
  OutId: 'axn-k3v9q2mtdx',
};
const V3_QUERY = Object.fromEntries(
  Object.entries(PARAMS).filter(
    ([k]) =>
      ![
        'AccessKeyId',
        'Action',
        'Version',
        'SignatureMethod',
        'SignatureVersion',
        'SignatureNonce',
        'Timestamp',
      ].includes(k),
  ),
);
const V3_HEADERS = {
  host: 'dyplsapi.aliyuncs.com',
  'x-acs-action': 'BindAxnExtension',
  'x-acs-version': '2017-05-25',
  'x-acs-date': '2026-11-28T12:00:00Z',
  'x-acs-signature-nonce': '3156853299f313e23d1673dc12e1703d',
  'x-acs-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
};
const EMPTY = V3_HEADERS['x-acs-content-sha256'];

function signing() {
  const stringToSign = signRpcV2(PARAMS, 'POST', 'testsecret').stringToSign;
  const floor = bestOf(3, () =>
    microsPerOp(() => createHmac('sha1', 'testsecret&').update(stringToSign).digest('base64')),
  );
  const v2 = bestOf(3, () => microsPerOp(() => signRpcV2(PARAMS, 'POST', 'testsecret')));
  const v3 = bestOf(3, () =>
    microsPerOp(() =>
      signAcs3({ method: 'POST', query: V3_QUERY, headers: V3_HEADERS }, 'testid', 'testsecret'),
    ),
  );
  const utilV2 = bestOf(3, () =>
    microsPerOp(() => OpenApiUtil.getRPCSignature(PARAMS, 'POST', 'testsecret')),
  );
  const utilV3 = bestOf(3, () =>
    microsPerOp(() =>
      OpenApiUtil.getAuthorization(
        { pathname: '/', method: 'POST', query: V3_QUERY, headers: V3_HEADERS },
        'ACS3-HMAC-SHA256',
        EMPTY,
        'testid',
        'testsecret',
      ),
    ),
  );
  return [
    [
      'V2 signature (HMAC-SHA1), 14 params',
      `${fmt(v2)} µs`,
      `HMAC floor ${fmt(floor)} µs`,
      `${fmt(v2 / floor)}× floor`,
      '≤ 2×',
      v2 / floor <= 2,
    ],
    [
      'V2 vs openapi-util getRPCSignature',
      `${fmt(v2)} µs`,
      `${fmt(utilV2)} µs`,
      `${fmt(utilV2 / v2)}× faster`,
      '≥ 2.5×',
      utilV2 / v2 >= 2.5,
    ],
    [
      'V3 signature (ACS3-HMAC-SHA256)',
      `${fmt(v3)} µs`,
      `${fmt(utilV3)} µs (getAuthorization)`,
      `${fmt(utilV3 / v3)}× faster`,
      '≥ 2.5×',
      utilV3 / v3 >= 2.5,
    ],
  ];
}

/** Process CPU time per call with 32 concurrent callers. */
async function cpuPerCall(total, call) {
  for (let i = 0; i < 200; i++) await call(); // warm the connections and the JIT
  const before = process.cpuUsage();
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next++ < total) await call();
    }),
  );
  const used = process.cpuUsage(before);
  return (used.user + used.system) / total;
}

async function client() {
  const server = await startChild(
    fileURLToPath(new URL('../../../scripts/fixed-body-server.mjs', import.meta.url)),
  );
  try {
    const ours = createDyplsClient({
      endpoint: server.url,
      credentials: { accessKeyId: 'testid', accessKeySecret: 'testsecret' },
      signature: 'v2',
    });
    const input = {
      poolKey: 'FC100000000000000',
      phoneNoA: '13800138000',
      expiration: '2026-11-30 12:00:00',
      expectCity: '北京',
      outId: 'axn-k3v9q2mtdx',
    };
    const pop = new RPCClient({
      endpoint: server.url,
      apiVersion: '2017-05-25',
      accessKeyId: 'testid',
      accessKeySecret: 'testsecret',
    });
    const popParams = {
      PoolKey: 'FC100000000000000',
      PhoneNoA: '13800138000',
      Expiration: '2026-11-30 12:00:00',
      ExpectCity: '北京',
      OutId: 'axn-k3v9q2mtdx',
    };
    const total = 4000;
    // Alternating rounds, the least CPU of three for each side.
    let oursCpu = Number.POSITIVE_INFINITY;
    let popCpu = Number.POSITIVE_INFINITY;
    for (let round = 0; round < 3; round++) {
      oursCpu = Math.min(oursCpu, await cpuPerCall(total, () => ours.call(BindAxnExtension, input)));
      popCpu = Math.min(
        popCpu,
        await cpuPerCall(total, () => pop.request('BindAxnExtension', popParams, { method: 'POST' })),
      );
    }
    await ours.close();
    return [
      [
        'Client CPU per call (32 concurrent, V2 POST)',
        `${fmt(oursCpu, 1)} µs`,
        `pop-core RPCClient ${fmt(popCpu, 1)} µs`,
        `${fmt(oursCpu / popCpu)}× pop-core`,
        '≤ 0.5×',
        oursCpu / popCpu <= 0.5,
      ],
    ];
  } finally {
    await server.stop();
  }
}

export async function run() {
  return {
    title: '@axnbot/core',
    rows: [...signing(), ...(await client())],
    notes: [
      'Signing: a V2 signature is canonicalisation (~1.1 µs: sort 14 names, encode 28 strings), one native',
      'encodeURIComponent of the whole query (~0.4 µs) and the HMAC itself (~1.5 µs with a prepared KeyObject);',
      'the floor is that HMAC alone, so ≤ 2× leaves ~0.2 µs for everything else. V3 hashes the canonical request',
      'and then HMACs it: two native crypto calls (~2.5 µs together) against openapi-util’s ~7.7 µs, so 2.5× would',
      'need the rest of the work to cost nothing. Client: most of the remaining CPU is the kernel (undici writes',
      'headers and body with writev) and GC; pop-core pays the same kernel costs, so the ratio cannot fall far.',
    ].join(' '),
  };
}

/**
 * The status the receipt endpoint must answer a fuzzed request with (`undefined` when the path is not
 * the endpoint's): the token first, then the method, the type, then the body (a JSON array of records).
 */
export function expectedReceiptStatus(
  method: string,
  path: string,
  body: string,
  token: string,
): number | undefined {
  const [route, query] = path.split('?');
  if (!route?.startsWith('/aliyun/receipts/')) return undefined;
  if (new URLSearchParams(query).get('token') !== token) return 401;
  if (method !== 'POST') return 405;
  if (!/^\/aliyun\/receipts\/Secret(Report|Recording)$/.test(route)) return 404;
  return body === '[]' ? 200 : 400;
}

/** Receipt-endpoint paths for a fuzz: no token, a wrong one, the right one, an unknown type, no type. */
export function receiptPaths(token: string): string[] {
  return [
    '/aliyun/receipts/SecretReport',
    '/aliyun/receipts/SecretReport?token=wrong',
    `/aliyun/receipts/SecretReport?token=${token}`,
    `/aliyun/receipts/SecretRecording?token=${token}&x=1`,
    `/aliyun/receipts/NotAType?token=${token}`,
    `/aliyun/receipts/?token=${token}`,
  ];
}

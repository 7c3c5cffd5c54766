/** Aliyun's answer deadline for one push. */
export const RECEIPT_TIMEOUT_MS = 700;

/**
 * One HTTP batch push: POSTs `body` (a JSON array) to `url`. Accepted is HTTP 200 with a numeric `code`
 * of 0 within {@link RECEIPT_TIMEOUT_MS}; anything else resolves to a short reason — a status, an
 * answer excerpt or an error name, never the URL (it may carry the receiver's token).
 */
export async function postReceipts(url: string, body: string): Promise<true | string> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body,
      signal: AbortSignal.timeout(RECEIPT_TIMEOUT_MS),
    });
    const text = await response.text();
    if (response.status !== 200) return `HTTP ${response.status}`;
    const answer = JSON.parse(text) as { code?: unknown };
    return typeof answer.code === 'number' && answer.code === 0 ? true : `answer ${text.slice(0, 80)}`;
  } catch (error) {
    return error instanceof Error ? error.name : 'failed';
  }
}

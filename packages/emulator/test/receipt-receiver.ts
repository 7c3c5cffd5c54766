import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';

/** One POST the receiver got. */
export interface Delivery {
  /** Path and query, as requested. */
  readonly url: string;
  /** The last path segment: the message type when the URL had `{type}` there. */
  readonly type: string;
  /** The body exactly as sent. */
  readonly text: string;
  /** The body parsed, with `sub_id` kept as a string so no digits are lost. */
  readonly records: Array<Record<string, unknown>>;
  /** How many earlier POSTs were still unanswered when this one arrived. */
  readonly overlapping: number;
}

/** How the receiver treats the POST with this index (0-based): answer it, after a wait, or never. */
export type Behaviour = (index: number) => { status?: number; body?: string; delayMs?: number } | 'hang';

/**
 * A stand-in for a bot's receipt endpoint on 127.0.0.1: records every POST in arrival order and
 * answers as Aliyun expects (`{"code":0,"msg":"接收成功"}`) unless told otherwise. Closed after the test.
 */
export async function receiptReceiver(behaviour: Behaviour = () => ({})) {
  const deliveries: Delivery[] = [];
  let inFlight = 0;
  let count = 0;
  const server = createServer((req, res) => {
    const index = count++;
    const overlapping = inFlight++;
    let settled = false;
    const settle = () => {
      if (!settled) inFlight--;
      settled = true;
    };
    // A POST the emulator gave up on (its 700 ms deadline) is no longer on the wire.
    res.on('close', settle);
    void readText(req).then((text) => {
      const url = req.url ?? '';
      deliveries.push({
        url,
        type: new URL(url, 'http://receiver').pathname.split('/').pop() ?? '',
        text,
        records: JSON.parse(text.replace(/"sub_id":(\d+)/g, '"sub_id":"$1"')),
        overlapping,
      });
      const plan = behaviour(index);
      if (plan === 'hang') return;
      const answer = () => {
        settle();
        res
          .writeHead(plan.status ?? 200, { 'content-type': 'application/json' })
          .end(plan.body ?? '{"code":0,"msg":"接收成功"}');
      };
      if (plan.delayMs) setTimeout(answer, plan.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, deliveries };
}

function readText(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      text += chunk;
    });
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';

export interface Frame {
  specVersion?: string;
  type?: string;
  headers: Record<string, string>;
  data: string;
  code?: number;
  message?: string;
}

/**
 * A local DingTalk: the stream gateway (`POST /v1.0/gateway/connections/open`, one-shot 90-second
 * tickets), the stream websocket, session webhooks, and the OpenAPI (access token, group and
 * one-to-one robot sends, checked for their required fields; `batchSend` names unreachable users in
 * `invalidStaffIdList`). Messages pushed while no connection is live wait and are delivered to the
 * next one, as DingTalk does; after a `disconnect` frame the old connection receives nothing more.
 */
export async function startFakeDingTalk(options: { port?: number } = {}) {
  const gatewayBodies: Array<Record<string, unknown>> = [];
  const webhookCalls: Array<{ path: string; body: any }> = [];
  const openApiCalls: Array<{ path: string; headers: http.IncomingHttpHeaders; body: any }> = [];
  const upFrames: Frame[] = [];
  const tickets = new Set<string>();
  const pending: Frame[] = [];
  let live: WebSocket | undefined;
  let seq = 0;
  let rejectUpgrades = 0;
  let gatewayRefusal: number | undefined;
  let connections = 0;
  const invalidUsers = new Set<string>();
  const connectionWaiters: Array<{ count: number; resolve: () => void }> = [];

  const wss = new WebSocketServer({ noServer: true });
  const server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      raw += chunk;
    });
    req.on('end', () => {
      const path = req.url ?? '';
      const json = (status: number, body: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.method === 'POST' && path === '/v1.0/gateway/connections/open') {
        gatewayBodies.push(JSON.parse(raw));
        if (gatewayRefusal !== undefined)
          return json(gatewayRefusal, { code: 'InvalidAuthentication', message: 'bad credentials' });
        const ticket = `ticket-${++seq}`;
        tickets.add(ticket);
        json(200, { endpoint: `ws://127.0.0.1:${port}/connect`, ticket });
      } else if (req.method === 'POST' && path.startsWith('/robot/sendBySession')) {
        const session = new URL(path, 'http://x').searchParams.get('session') ?? '';
        if (session.startsWith('expired')) return json(200, { errcode: 300001, errmsg: 'session expired' });
        webhookCalls.push({ path, body: JSON.parse(raw) });
        json(200, { errcode: 0, errmsg: 'ok' });
      } else if (req.method === 'POST' && path === '/v1.0/oauth2/accessToken') {
        openApiCalls.push({ path, headers: req.headers, body: JSON.parse(raw) });
        json(200, { accessToken: 'token-1', expireIn: 7200 });
      } else if (
        req.method === 'POST' &&
        (path === '/v1.0/robot/groupMessages/send' || path === '/v1.0/robot/oToMessages/batchSend')
      ) {
        const body = JSON.parse(raw);
        openApiCalls.push({ path, headers: req.headers, body });
        if (req.headers['x-acs-dingtalk-access-token'] !== 'token-1')
          return json(401, { code: 'InvalidAuthentication' });
        const problem = robotSendProblem(path, body);
        if (problem)
          return json(400, { code: 'InvalidParameter', message: problem, requestid: `req-${++seq}` });
        if (path === '/v1.0/robot/groupMessages/send') return json(200, { processQueryKey: `pq-${++seq}` });
        // batchSend answers which of the users it could not reach; the message went to the others.
        const userIds = body.userIds as string[];
        json(200, {
          processQueryKey: `pq-${++seq}`,
          invalidStaffIdList: userIds.filter((id) => invalidUsers.has(id)),
          flowControlledStaffIdList: [],
        });
      } else {
        res.writeHead(404).end();
      }
    });
  });
  server.on('upgrade', (req, socket: Duplex, head) => {
    if (rejectUpgrades > 0) {
      rejectUpgrades -= 1;
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    const ticket = new URL(req.url ?? '/', 'http://x').searchParams.get('ticket');
    if (!ticket || !tickets.delete(ticket)) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      live = ws;
      connections += 1;
      ws.on('message', (message) => upFrames.push(JSON.parse(String(message))));
      ws.on('close', () => {
        if (live === ws) live = undefined;
      });
      for (const waiter of connectionWaiters.filter((w) => connections >= w.count)) waiter.resolve();
      while (pending.length > 0 && live === ws) ws.send(JSON.stringify(pending.shift()));
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const base = `http://127.0.0.1:${port}`;

  function push(frame: Frame) {
    if (live && live.readyState === live.OPEN) live.send(JSON.stringify(frame));
    else pending.push(frame);
  }
  function pushRobotMessage(data: Record<string, unknown>, messageId = `msg-${++seq}`) {
    push({
      specVersion: '1.0',
      type: 'CALLBACK',
      headers: {
        appId: 'app-1',
        connectionId: 'conn-1',
        contentType: 'application/json',
        messageId,
        time: String(Date.now()),
        topic: '/v1.0/im/bot/messages/get',
      },
      data: JSON.stringify(data),
    });
    return messageId;
  }

  return {
    base,
    gatewayUrl: `${base}/v1.0/gateway/connections/open`,
    gatewayBodies,
    webhookCalls,
    openApiCalls,
    upFrames,
    get connections() {
      return connections;
    },
    /** Resolves once `count` websocket connections have been accepted in all. */
    connected: (count = 1) =>
      new Promise<void>((resolve) =>
        connections >= count ? resolve() : connectionWaiters.push({ count, resolve }),
      ),
    rejectNextUpgrades: (count: number) => {
      rejectUpgrades = count;
    },
    /** From now on the gateway refuses the credentials with this HTTP status (401 or 403). */
    refuseCredentials: (status: number) => {
      gatewayRefusal = status;
    },
    pushRobotMessage,
    /** From now on `oToMessages/batchSend` names this user invalid (not in the organisation, say). */
    refuseUser: (userId: string) => {
      invalidUsers.add(userId);
    },
    /** The markdown of every OpenAPI robot send so far: where it went, and its title and text. */
    robotSends: () =>
      openApiCalls
        .filter((call) => call.path.startsWith('/v1.0/robot/'))
        .map((call) => {
          const { title, text } = JSON.parse(call.body.msgParam) as { title: string; text: string };
          return call.path === '/v1.0/robot/groupMessages/send'
            ? { to: 'group' as const, id: call.body.openConversationId as string, title, text }
            : { to: 'user' as const, id: (call.body.userIds as string[]).join(','), title, text };
        }),
    /** The server's `disconnect` system frame: the connection then gets nothing more and is closed soon. */
    disconnect: () => {
      const old = live;
      old?.send(
        JSON.stringify({
          specVersion: '1.0',
          type: 'SYSTEM',
          headers: {
            contentType: 'application/json',
            messageId: `sys-${++seq}`,
            time: String(Date.now()),
            topic: 'disconnect',
          },
          data: JSON.stringify({ reason: 'rebalance' }),
        }),
      );
      live = undefined;
      setTimeout(() => old?.close(), 500);
    },
    /** Closes the live connection from the server side. */
    dropConnection: () => live?.close(),
    close: async () => {
      for (const client of wss.clients) client.terminate();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const MSG_KEYS = new Set([
  'sampleText',
  'sampleMarkdown',
  'sampleLink',
  'sampleImageMsg',
  'sampleActionCard',
]);

/**
 * What DingTalk's robot send APIs refuse with 400 (their documented required fields): a `robotCode`, a
 * known `msgKey`, a `msgParam` that is a string holding JSON (`title` and `text` for markdown), and the
 * group's `openConversationId` or 1 to 20 `userIds`.
 */
function robotSendProblem(path: string, body: Record<string, unknown>): string | undefined {
  if (typeof body.robotCode !== 'string' || body.robotCode === '') return 'robotCode is required';
  if (typeof body.msgKey !== 'string' || !MSG_KEYS.has(body.msgKey)) return 'msgKey is not valid';
  if (typeof body.msgParam !== 'string') return 'msgParam must be a JSON string';
  let param: Record<string, unknown>;
  try {
    param = JSON.parse(body.msgParam);
  } catch {
    return 'msgParam must be a JSON string';
  }
  if (body.msgKey === 'sampleMarkdown' && (typeof param.title !== 'string' || typeof param.text !== 'string'))
    return 'sampleMarkdown needs title and text';
  if (path === '/v1.0/robot/groupMessages/send') {
    if (typeof body.openConversationId !== 'string' || body.openConversationId === '')
      return 'openConversationId is required';
  } else {
    const ids = body.userIds;
    if (
      !Array.isArray(ids) ||
      ids.length === 0 ||
      ids.length > 20 ||
      ids.some((id) => typeof id !== 'string' || id === '')
    )
      return 'userIds must hold 1 to 20 user ids';
  }
  return undefined;
}

let messageSeq = 0;

/** A robot text message as DingTalk sends it: the bot's own mention already stripped, a leading space left. */
export function robotText(base: string, content: string, over: Record<string, unknown> = {}) {
  const id = ++messageSeq;
  return {
    conversationId: 'cidGroup==',
    conversationType: '2',
    conversationTitle: 'ops',
    chatbotCorpId: 'dingcorp',
    chatbotUserId: '$:LWCP_v1:$bot',
    msgId: `msgid-${id}-${Date.now()}`,
    senderNick: '张三',
    isAdmin: false,
    senderStaffId: 'staff001',
    senderId: '$:LWCP_v1:$user',
    senderCorpId: 'dingcorp',
    createAt: Date.now(),
    sessionWebhook: `${base}/robot/sendBySession?session=s${id}`,
    sessionWebhookExpiredTime: Date.now() + 5_400_000,
    isInAtList: true,
    atUsers: [{ dingtalkId: '$:LWCP_v1:$bot' }],
    robotCode: 'dingrobot',
    msgtype: 'text',
    text: { content },
    ...over,
  };
}

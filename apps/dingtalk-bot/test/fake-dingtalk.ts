import { readFileSync } from 'node:fs';
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

/** The card template id the fake's card platform knows (as if card-template.json had been imported). */
export const FAKE_CARD_TEMPLATE_ID = 'axn0card-0000-4000-8000-000000000001.schema';

/** What a user sees of a card: its values (private over public), `bindings` parsed. */
export type CardView = { readonly [key: string]: string | undefined } & {
  readonly bindings: ReadonlyArray<{ subsId: string; heading: string; detail: string; live: boolean }>;
};

/** A card instance as the fake's card platform holds it. */
export interface FakeCard {
  readonly outTrackId: string;
  readonly templateId: string;
  readonly openSpaceId: string;
  readonly body: any;
  cardParamMap: Record<string, string>;
  readonly privateData: Map<string, Record<string, string>>;
}

/**
 * A local DingTalk: the stream gateway (`POST /v1.0/gateway/connections/open`, one-shot 90-second
 * tickets), the stream websocket, session webhooks, and the OpenAPI (access token, group and
 * one-to-one robot sends, checked for their required fields; `batchSend` names unreachable users in
 * `invalidStaffIdList`). Messages pushed while no connection is live wait and are delivered to the
 * next one, as DingTalk does; after a `disconnect` frame the old connection receives nothing more.
 *
 * Its card platform (卡片平台) knows one template, {@link FAKE_CARD_TEMPLATE_ID}, the imported
 * card-template.json: `POST /v1.0/card/instances/createAndDeliver` and `PUT /v1.0/card/instances` are
 * checked as DingTalk documents them (required fields, the open space, a deliver model for it, values
 * within 100 B keys / 1 KB values, error codes such as `param.cardAlreadyExist`); a button press is
 * pushed as a card callback frame (topic `/v1.0/card/instances/callback`) whose params are the ones the
 * template's button sends.
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
  const cards = new Map<string, FakeCard>();
  const frames = new Map<string, Frame>();
  let cardFailures: { count: number; status: number; code: string } | undefined;
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
      } else if (
        (req.method === 'POST' && path === '/v1.0/card/instances/createAndDeliver') ||
        (req.method === 'PUT' && path === '/v1.0/card/instances')
      ) {
        const body = JSON.parse(raw);
        openApiCalls.push({ path, headers: req.headers, body });
        if (req.headers['x-acs-dingtalk-access-token'] !== 'token-1')
          return json(401, { code: 'InvalidAuthentication' });
        if (cardFailures && cardFailures.count > 0) {
          cardFailures.count -= 1;
          return json(cardFailures.status, {
            code: cardFailures.code,
            message: cardFailures.code,
            requestid: `req-${++seq}`,
          });
        }
        const refused = (code: string) => json(400, { code, message: code, requestid: `req-${++seq}` });
        if (req.method === 'POST') {
          const problem = createProblem(body, cards);
          if (problem) return refused(problem);
          cards.set(body.outTrackId, {
            outTrackId: body.outTrackId,
            templateId: body.cardTemplateId,
            openSpaceId: body.openSpaceId,
            body,
            cardParamMap: { ...body.cardData.cardParamMap },
            privateData: new Map(
              Object.entries(
                (body.privateData ?? {}) as Record<string, { cardParamMap: Record<string, string> }>,
              ).map(([userId, value]) => [userId, { ...value.cardParamMap }]),
            ),
          });
          const spaces = parseOpenSpaceId(body.openSpaceId) ?? [];
          return json(200, {
            success: true,
            result: {
              outTrackId: body.outTrackId,
              deliverResults: spaces.map((space) => ({
                spaceType: space.type,
                spaceId: space.id,
                success: true,
                carrierId: `carrier-${++seq}`,
              })),
            },
          });
        }
        const card = typeof body.outTrackId === 'string' ? cards.get(body.outTrackId) : undefined;
        if (!body.outTrackId) return refused('param.outTrackIdEmpty');
        if (!card) return refused('param.cardNotExist');
        const byKey = body.cardUpdateOptions ?? {};
        if (body.cardData !== undefined) {
          const map = body.cardData?.cardParamMap;
          if (!validParamMap(map)) return refused('param.invalid');
          card.cardParamMap = byKey.updateCardDataByKey ? { ...card.cardParamMap, ...map } : { ...map };
        }
        if (body.privateData !== undefined) {
          for (const [userId, value] of Object.entries(body.privateData as Record<string, any>)) {
            if (!validParamMap(value?.cardParamMap) || Buffer.byteLength(userId) > 100)
              return refused('param.invalid');
            const before = card.privateData.get(userId) ?? {};
            card.privateData.set(
              userId,
              byKey.updatePrivateDataByKey ? { ...before, ...value.cardParamMap } : { ...value.cardParamMap },
            );
          }
        }
        json(200, { success: true, result: true });
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
    if (frame.headers.messageId) frames.set(frame.headers.messageId, frame);
    if (live && live.readyState === live.OPEN) live.send(JSON.stringify(frame));
    else pending.push(frame);
  }

  /**
   * Pushes a card callback frame as DingTalk's 事件回调 document shows it: `data` holds `type`
   * "actionCallback", `outTrackId`, `corpId`, `userId` and `content` (JSON text of `cardPrivateData`
   * with `actionIds` and `params`). The Python SDK's sample adds `value` (the same text), `extension`,
   * `spaceType`, `spaceId` and `userIdType`; they are sent too.
   */
  function pushCardCallback(
    callback: { outTrackId: string; userId: string; actionIds: string[]; params: Record<string, unknown> },
    messageId = `card-${++seq}`,
  ) {
    const content = JSON.stringify({
      cardPrivateData: { actionIds: callback.actionIds, params: callback.params },
    });
    push({
      specVersion: '1.0',
      type: 'CALLBACK',
      headers: {
        appId: 'app-1',
        connectionId: 'conn-1',
        contentType: 'application/json',
        messageId,
        time: String(Date.now()),
        topic: '/v1.0/card/instances/callback',
      },
      data: JSON.stringify({
        type: 'actionCallback',
        outTrackId: callback.outTrackId,
        corpId: 'dingcorp',
        userId: callback.userId,
        userIdType: 1,
        spaceType: '',
        spaceId: '',
        extension: '{}',
        content,
        value: content,
      }),
    });
    return messageId;
  }

  /** What one user sees of a card: its public values with their private ones over them. */
  function cardView(outTrackId: string, userId?: string): CardView {
    const card = cards.get(outTrackId);
    if (!card) throw new Error(`no card ${outTrackId}`);
    const values: Record<string, string> = {
      ...card.cardParamMap,
      ...(userId ? card.privateData.get(userId) : {}),
    };
    return { ...values, bindings: JSON.parse(values.bindings ?? '[]') } as CardView;
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
    pushCardCallback,
    /** Pushes a frame already pushed once again, as DingTalk redelivers: same messageId, same data. */
    redeliver: (messageId: string) => {
      const frame = frames.get(messageId);
      if (!frame) throw new Error(`no frame ${messageId}`);
      push(frame);
    },
    /** The card instances created so far, by outTrackId. */
    cards,
    cardView,
    /** The buttons a user sees on entry `index` of a card (the template's visibility rules applied). */
    visibleButtons: (outTrackId: string, index: number, userId?: string) => {
      const entry = cardView(outTrackId, userId).bindings[index];
      if (!entry) return [];
      return templateButtons()
        .filter((button) => button.visibleWhenLive === false || entry.live === true)
        .map((b) => b.id);
    },
    /**
     * A user presses a button of entry `index` of a card, as the template defines it: a `request`
     * button sends its params; a `confirm` button (Unbind), once confirmed, sends its confirm-OK params.
     * Loop variables come from the entry, global ones from the card's values. Answers the callback's
     * messageId. Throws if that button is not shown there.
     */
    press: (outTrackId: string, userId: string, buttonId: string, index = 0, messageId?: string) => {
      const view = cardView(outTrackId, userId);
      const entry = view.bindings[index];
      const button = templateButtons().find((b) => b.id === buttonId);
      if (!entry || !button) throw new Error(`no button ${buttonId} on entry ${index}`);
      if (button.visibleWhenLive && entry.live !== true) throw new Error(`button ${buttonId} is hidden`);
      const params: Record<string, unknown> = {};
      for (const param of button.params) {
        if (param.type === 'fixed') params[param.name] = param.value;
        else
          params[param.name] =
            param.variableType === 'loop'
              ? (entry as Record<string, unknown>)[param.variable]
              : (view as Record<string, unknown>)[param.variable];
      }
      return pushCardCallback({ outTrackId, userId, actionIds: [button.actionId], params }, messageId);
    },
    /** The next `count` card sends and updates fail with HTTP `status` and DingTalk error `code`. */
    failCardCalls: (count: number, status = 500, code = 'system.busy') => {
      cardFailures = { count, status, code };
    },
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

/** DingTalk's space types (创建并投放卡片: IM_GROUP, IM_SINGLE, IM_ROBOT, ONE_BOX), matched case-blind. */
const SPACE_TYPES = new Set(['IM_GROUP', 'IM_SINGLE', 'IM_ROBOT', 'ONE_BOX']);

/** `dtv1.card//IM_GROUP.cid…;IM_ROBOT.user…` → its spaces; undefined when it is not of that form. */
function parseOpenSpaceId(value: unknown): Array<{ type: string; id: string }> | undefined {
  if (typeof value !== 'string' || !value.startsWith('dtv1.card//')) return undefined;
  const spaces = value
    .slice('dtv1.card//'.length)
    .split(';')
    .map((part) => {
      const dot = part.indexOf('.');
      return { type: part.slice(0, dot).toUpperCase(), id: part.slice(dot + 1) };
    });
  return spaces.every((space) => SPACE_TYPES.has(space.type) && space.id !== '') ? spaces : undefined;
}

/** A `cardParamMap`: string keys of at most 100 bytes to string values of at most 1 KB. */
function validParamMap(map: unknown): map is Record<string, string> {
  if (typeof map !== 'object' || map === null || Array.isArray(map)) return false;
  return Object.entries(map).every(
    ([key, value]) =>
      Buffer.byteLength(key) <= 100 && typeof value === 'string' && Buffer.byteLength(value) <= 1024,
  );
}

/** What `createAndDeliver` refuses with 400, by DingTalk's error code; undefined when it accepts. */
function createProblem(body: any, cards: ReadonlyMap<string, FakeCard>): string | undefined {
  if (typeof body !== 'object' || body === null) return 'param.empty';
  if (!body.cardTemplateId) return 'param.cardTemplateIdEmpty';
  if (!body.outTrackId) return 'param.outTrackIdEmpty';
  if (cards.has(body.outTrackId)) return 'param.cardAlreadyExist';
  if (body.cardTemplateId !== FAKE_CARD_TEMPLATE_ID) return 'param.templateNotExist';
  if (!body.cardData || typeof body.cardData !== 'object') return 'param.cardPublicDataEmpty';
  if (!validParamMap(body.cardData.cardParamMap)) return 'param.invalid';
  if (body.callbackType !== undefined && body.callbackType !== 'STREAM' && body.callbackType !== 'HTTP')
    return 'param.invalid';
  if (body.userIdType !== undefined && body.userIdType !== 1 && body.userIdType !== 2) return 'param.invalid';
  if (!body.openSpaceId) return 'param.openSpaceIdEmpty';
  const spaces = parseOpenSpaceId(body.openSpaceId);
  if (!spaces) return 'param.openSpaceIdInvalid';
  for (const space of spaces) {
    if (space.type === 'IM_GROUP') {
      const model = body.imGroupOpenDeliverModel;
      if (!model) return 'param.openDeliverModelEmpty';
      if (typeof model.robotCode !== 'string' || model.robotCode === '') return 'param.openDeliverModelError';
      if (body.imGroupOpenSpaceModel && typeof body.imGroupOpenSpaceModel.supportForward !== 'boolean')
        return 'param.openSpaceModelInvalid';
    } else if (space.type === 'IM_ROBOT') {
      const model = body.imRobotOpenDeliverModel;
      if (!model) return 'param.openDeliverModelEmpty';
      if (model.spaceType !== undefined && model.spaceType !== 'IM_ROBOT')
        return 'param.openDeliverModelError';
      if (body.imRobotOpenSpaceModel && typeof body.imRobotOpenSpaceModel.supportForward !== 'boolean')
        return 'param.openSpaceModelInvalid';
    }
  }
  return undefined;
}

/** A button of the template: its id, the action id and params its press sends, and whether `live` shows it. */
interface TemplateButton {
  readonly id: string;
  readonly actionId: string;
  readonly params: ReadonlyArray<{
    type: string;
    name: string;
    value?: string;
    variable: string;
    variableType: string;
  }>;
  readonly visibleWhenLive: boolean;
}

let buttonsCache: TemplateButton[] | undefined;

/** The buttons of the shipped card-template.json, read as the card platform would. */
export function templateButtons(): TemplateButton[] {
  if (buttonsCache) return buttonsCache;
  const file = JSON.parse(readFileSync(new URL('../card-template.json', import.meta.url), 'utf8'));
  const editor = JSON.parse(file.editorData);
  const found: TemplateButton[] = [];
  const walk = (node: any) => {
    for (const button of node?.props?.buttons ?? []) {
      const confirm = button.actionType === 'confirm' && button.confirmOkAction === 'request';
      found.push({
        id: button.id,
        actionId: (confirm ? button.confirmOkReqActionActionId : button.actionId)?.content || button.id,
        params: confirm ? button.confirmOkReqActionParams : button.params,
        visibleWhenLive: (button.visible?.condition?.conditions ?? []).some(
          (c: any) => c.variable === 'live' && c.op === 'isTrue',
        ),
      });
    }
    for (const child of node?.children ?? []) walk(child);
  };
  for (const node of editor.schema.componentsTree) walk(node);
  buttonsCache = found;
  return found;
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

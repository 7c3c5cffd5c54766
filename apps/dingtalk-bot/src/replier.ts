import type { MarkdownMessage } from './markdown.js';
import { isGroup, type RobotMessage } from './robot-message.js';

/** Replies are not sent through a session webhook this close to its expiry. */
const WEBHOOK_MARGIN_MS = 60_000;
/** An access token is renewed this long before it expires. */
const TOKEN_MARGIN_MS = 5 * 60_000;

export interface ReplierOptions {
  /** OpenAPI base, `https://api.dingtalk.com` in production. */
  readonly apiUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly now?: () => number;
}

/**
 * Sends a reply to where a robot message came from: through its session webhook while that is valid,
 * otherwise through the robot OpenAPI (group messages, or one-to-one for single chats) with an app
 * access token that is cached until shortly before it expires.
 */
export class Replier {
  private token: { value: string; until: number } | undefined;
  private pendingToken: Promise<string> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: ReplierOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Sends every part of the reply, in order; answers which way it went. */
  async send(message: RobotMessage, parts: readonly MarkdownMessage[]): Promise<'webhook' | 'openapi'> {
    const staffId = message.senderStaffId;
    const webhookValid =
      message.sessionWebhook && (message.sessionWebhookExpiredTime ?? 0) - WEBHOOK_MARGIN_MS > this.now();
    if (webhookValid) {
      try {
        for (const part of parts) await this.viaWebhook(message.sessionWebhook as string, part, staffId);
        return 'webhook';
      } catch {
        // The webhook expired early or failed: the OpenAPI still reaches the chat.
      }
    }
    for (const part of parts) await this.viaOpenApi(message, part);
    return 'openapi';
  }

  private async viaWebhook(url: string, part: MarkdownMessage, staffId: string | undefined): Promise<void> {
    const body = {
      msgtype: 'markdown',
      markdown: part,
      at: { atUserIds: staffId ? [staffId] : [], isAtAll: false },
    };
    const answer = await postJson(url, body, {});
    if (answer.errcode !== undefined && answer.errcode !== 0)
      throw new Error(`session webhook answered errcode ${String(answer.errcode)}`);
  }

  private async viaOpenApi(message: RobotMessage, part: MarkdownMessage): Promise<void> {
    const robotCode = message.robotCode ?? this.options.clientId;
    if (isGroup(message)) await this.toGroup(message.conversationId, [part], robotCode);
    else await this.toUser(message.senderStaffId ?? message.senderId ?? '', [part], robotCode);
  }

  /**
   * Posts markdown into a group the robot is in, through the robot OpenAPI (`groupMessages/send`; the
   * app needs the robot send-message permission). It can @-mention nobody: a name in the text is text.
   * `robotCode` defaults to the app's Client ID, which is an internal app robot's code. Answers the
   * `processQueryKey` DingTalk gave the last part (what its read-status and recall APIs take), if any.
   */
  async toGroup(
    openConversationId: string,
    parts: readonly MarkdownMessage[],
    robotCode = this.options.clientId,
  ): Promise<string | undefined> {
    let key: string | undefined;
    for (const part of parts) {
      const answer = await this.openApi('/v1.0/robot/groupMessages/send', {
        robotCode,
        openConversationId,
        msgKey: 'sampleMarkdown',
        msgParam: JSON.stringify({ title: part.title, text: part.text }),
      });
      key = processQueryKey(answer);
    }
    return key;
  }

  /**
   * Sends markdown to one person, in their single chat with the robot (`oToMessages/batchSend`): what
   * only they may see. Throws when DingTalk names the user invalid or flow-controlled (nothing was sent).
   * Answers the `processQueryKey` of the last part, if DingTalk gave one.
   */
  async toUser(
    userId: string,
    parts: readonly MarkdownMessage[],
    robotCode = this.options.clientId,
  ): Promise<string | undefined> {
    let key: string | undefined;
    for (const part of parts) {
      const answer = await this.openApi('/v1.0/robot/oToMessages/batchSend', {
        robotCode,
        userIds: [userId],
        msgKey: 'sampleMarkdown',
        msgParam: JSON.stringify({ title: part.title, text: part.text }),
      });
      for (const list of ['invalidStaffIdList', 'flowControlledStaffIdList'] as const) {
        const refused = answer[list];
        if (Array.isArray(refused) && refused.includes(userId))
          throw new Error(`DingTalk did not send the single-chat message (${list})`);
      }
      key = processQueryKey(answer);
    }
    return key;
  }

  /**
   * Creates a card instance from a template and delivers it where `place` says, as the robot
   * (`POST /v1.0/card/instances/createAndDeliver`; the app needs the 互动卡片实例写权限
   * `Card.Instance.Write`). In a group the card @-mentions `mention`. Button presses come back over the
   * Stream connection (`callbackType` STREAM) with the presser's userId (`userIdType` 1). Throws, with
   * DingTalk's error code, unless DingTalk says the card was delivered.
   */
  async sendCard(card: {
    readonly templateId: string;
    readonly outTrackId: string;
    readonly cardParamMap: Readonly<Record<string, string>>;
    readonly place:
      | { readonly kind: 'group'; readonly openConversationId: string; readonly robotCode?: string }
      | { readonly kind: 'single'; readonly userId: string; readonly robotCode?: string };
    readonly mention?: { readonly userId: string; readonly name: string };
    readonly lastMessage?: string;
  }): Promise<void> {
    const { place } = card;
    const robotCode = place.robotCode ?? this.options.clientId;
    const spaceModel = {
      supportForward: false,
      ...(card.lastMessage ? { lastMessageI18n: { ZH_CN: card.lastMessage, EN_US: card.lastMessage } } : {}),
    };
    const body: Record<string, unknown> = {
      cardTemplateId: card.templateId,
      outTrackId: card.outTrackId,
      callbackType: 'STREAM',
      userIdType: 1,
      cardData: { cardParamMap: card.cardParamMap },
    };
    if (place.kind === 'group') {
      body.openSpaceId = `dtv1.card//IM_GROUP.${place.openConversationId}`;
      body.imGroupOpenSpaceModel = spaceModel;
      body.imGroupOpenDeliverModel = {
        robotCode,
        ...(card.mention ? { atUserIds: { [card.mention.userId]: card.mention.name } } : {}),
      };
    } else {
      body.openSpaceId = `dtv1.card//IM_ROBOT.${place.userId}`;
      body.imRobotOpenSpaceModel = spaceModel;
      body.imRobotOpenDeliverModel = { spaceType: 'IM_ROBOT', robotCode };
    }
    const answer = await this.cardApi('POST', '/v1.0/card/instances/createAndDeliver', body);
    const result = answer.result as { deliverResults?: Array<{ success?: boolean; errorMsg?: string }> };
    const failed = result?.deliverResults?.find((delivery) => delivery.success === false);
    if (answer.success !== true || failed)
      throw new Error(
        `DingTalk did not deliver the card${failed?.errorMsg ? ` (${String(failed.errorMsg).slice(0, 80)})` : ''}`,
      );
  }

  /**
   * Updates a card in place (`PUT /v1.0/card/instances`): the public values given (others kept:
   * `updateCardDataByKey`), and/or one user's private values (`privateData`, keyed by userId; only they
   * see them). Throws, with DingTalk's error code, when DingTalk refuses.
   */
  async updateCard(update: {
    readonly outTrackId: string;
    readonly cardParamMap?: Readonly<Record<string, string>>;
    readonly privateFor?: {
      readonly userId: string;
      readonly cardParamMap: Readonly<Record<string, string>>;
    };
  }): Promise<void> {
    const body: Record<string, unknown> = {
      outTrackId: update.outTrackId,
      userIdType: 1,
      cardUpdateOptions: {
        ...(update.cardParamMap ? { updateCardDataByKey: true } : {}),
        ...(update.privateFor ? { updatePrivateDataByKey: true } : {}),
      },
    };
    if (update.cardParamMap) body.cardData = { cardParamMap: update.cardParamMap };
    if (update.privateFor)
      body.privateData = { [update.privateFor.userId]: { cardParamMap: update.privateFor.cardParamMap } };
    const answer = await this.cardApi('PUT', '/v1.0/card/instances', body);
    if (answer.success === false) throw new Error('DingTalk did not update the card');
  }

  private async cardApi(
    method: 'POST' | 'PUT',
    path: string,
    body: unknown,
  ): Promise<Record<string, unknown>> {
    const token = await this.accessToken();
    const response = await fetch(`${this.options.apiUrl}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        'x-acs-dingtalk-access-token': token,
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    let answer: Record<string, unknown> = {};
    try {
      answer = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // not JSON: the status says enough
    }
    if (!response.ok) {
      // DingTalk's error code (param.templateNotExist, …) names the problem; its message adds nothing secret.
      const code = typeof answer.code === 'string' ? ` ${answer.code.slice(0, 80)}` : '';
      throw new Error(`DingTalk answered HTTP ${response.status}${code}`);
    }
    return answer;
  }

  private async openApi(path: string, body: unknown): Promise<Record<string, unknown>> {
    const token = await this.accessToken();
    return postJson(`${this.options.apiUrl}${path}`, body, { 'x-acs-dingtalk-access-token': token });
  }

  /** The app's access token: cached until shortly before expiry; concurrent callers share one request. */
  private accessToken(): Promise<string> {
    if (this.token && this.token.until > this.now()) return Promise.resolve(this.token.value);
    this.pendingToken ??= (async () => {
      try {
        const answer = await postJson(
          `${this.options.apiUrl}/v1.0/oauth2/accessToken`,
          { appKey: this.options.clientId, appSecret: this.options.clientSecret },
          {},
        );
        if (typeof answer.accessToken !== 'string' || typeof answer.expireIn !== 'number')
          throw new Error('access token answer without accessToken and expireIn');
        this.token = {
          value: answer.accessToken,
          until: this.now() + answer.expireIn * 1000 - TOKEN_MARGIN_MS,
        };
        return answer.accessToken;
      } finally {
        this.pendingToken = undefined;
      }
    })();
    return this.pendingToken;
  }
}

/** The `processQueryKey` of a robot send's answer, when it is a short plain string. */
function processQueryKey(answer: Record<string, unknown>): string | undefined {
  const key = answer.processQueryKey;
  return typeof key === 'string' && key !== '' && key.length <= 200 ? key : undefined;
}

async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  // The URL is not echoed: a session webhook URL is a credential for its chat.
  if (!response.ok) throw new Error(`DingTalk answered HTTP ${response.status}`);
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return {};
  }
}

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
   * `robotCode` defaults to the app's Client ID, which is an internal app robot's code.
   */
  async toGroup(
    openConversationId: string,
    parts: readonly MarkdownMessage[],
    robotCode = this.options.clientId,
  ): Promise<void> {
    for (const part of parts)
      await this.openApi('/v1.0/robot/groupMessages/send', {
        robotCode,
        openConversationId,
        msgKey: 'sampleMarkdown',
        msgParam: JSON.stringify({ title: part.title, text: part.text }),
      });
  }

  /**
   * Sends markdown to one person, in their single chat with the robot (`oToMessages/batchSend`): what
   * only they may see. Throws when DingTalk names the user invalid or flow-controlled (nothing was sent).
   */
  async toUser(
    userId: string,
    parts: readonly MarkdownMessage[],
    robotCode = this.options.clientId,
  ): Promise<void> {
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
    }
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

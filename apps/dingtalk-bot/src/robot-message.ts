/** The fields of a robot callback the bot reads (DingTalk's `RobotMessageBase`, text and richText). */
export interface RobotMessage {
  readonly msgId: string;
  readonly msgtype: string;
  readonly conversationId: string;
  /** "1" single chat, "2" group. */
  readonly conversationType: string;
  readonly senderStaffId?: string;
  readonly senderId?: string;
  readonly senderNick?: string;
  readonly robotCode?: string;
  readonly sessionWebhook?: string;
  readonly sessionWebhookExpiredTime?: number;
  readonly text?: { readonly content?: string };
  readonly content?: {
    readonly richText?: ReadonlyArray<{ readonly text?: string; readonly type?: string }>;
  };
}

/** Parses a callback's `data`; `undefined` when it is not a robot message the bot can answer. */
export function parseRobotMessage(data: string): RobotMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const message = value as Partial<RobotMessage>;
  if (typeof message.msgId !== 'string' || typeof message.conversationId !== 'string') return undefined;
  return message as RobotMessage;
}

/**
 * The command a message carries: `text.content`, or the text parts of a `richText`, trimmed and with
 * leading `@name` mentions removed. DingTalk strips the robot's own mention from plain text (leaving a
 * leading space) but keeps mentions of others, and richText keeps them all.
 */
export function commandText(message: RobotMessage): string | undefined {
  let text: string | undefined;
  if (message.msgtype === 'text') text = message.text?.content;
  else if (message.msgtype === 'richText') {
    text = (message.content?.richText ?? [])
      .map((part) => (typeof part.text === 'string' ? part.text : ''))
      .join('');
  }
  if (text === undefined) return undefined;
  return text
    .replace(/^(\s*@\S+)+\s*/, '')
    .replace(/^\s*@\S+$/, '')
    .trim();
}

/** Whether the message came from a group (where replies @-mention the sender). */
export function isGroup(message: RobotMessage): boolean {
  return message.conversationType === '2';
}

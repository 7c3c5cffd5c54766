import {
  ConfigError,
  loadBotServiceConfig,
  loadReceiptToken,
  readEnvSection,
  type ServiceConfig,
} from '@axnbot/chatops';
import { GATEWAY_URL } from 'dingtalk-stream';
import { z } from 'zod';

/** Everything the DingTalk bot is configured with. */
export interface DingTalkBotConfig {
  readonly clientId: string;
  readonly clientSecret: string;
  /** The stream gateway's connections/open URL. */
  readonly gatewayUrl: string;
  /** The OpenAPI base (tokens, robot sends). */
  readonly apiUrl: string;
  /** Serve GET /healthz and GET /metrics on this port when set (and the receipt endpoint, with a token). */
  readonly port?: number;
  /**
   * `AXN_RECEIPT_TOKEN`: when set, Aliyun's call receipts are taken on `port` at
   * `POST /aliyun/receipts/{MessageType}?token=…` and calls are posted where their bindings were made.
   */
  readonly receiptToken?: string;
  /**
   * `DINGTALK_CARD_TEMPLATE_ID`: the id of the imported card template (card-template.json). When set,
   * results and lists go out as interactive cards with Extend +1d / Unbind buttons; markdown stays the
   * fallback (not set, a reply with no binding to show, or a card DingTalk refuses).
   */
  readonly cardTemplateId?: string;
  readonly reconnectBaseMs: number;
  readonly reconnectMaxMs: number;
  readonly idleTimeoutMs: number;
  readonly service: ServiceConfig;
}

const url = (name: string) => z.string().regex(/^https?:\/\/\S+$/, `${name} must be an http(s) URL`);
const ms = (name: string, min: number) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a number of milliseconds`)
    .transform(Number)
    .refine((value) => value >= min, `${name} must be at least ${min}`);

const schema = z.object({
  DINGTALK_CLIENT_ID: z
    .string({ message: 'DINGTALK_CLIENT_ID is required: the app’s AppKey (Client ID)' })
    .min(1),
  DINGTALK_CLIENT_SECRET: z
    .string({ message: 'DINGTALK_CLIENT_SECRET is required: the app’s AppSecret (Client Secret)' })
    .min(1),
  DINGTALK_GATEWAY_URL: url('DINGTALK_GATEWAY_URL').default(GATEWAY_URL),
  DINGTALK_API_URL: url('DINGTALK_API_URL')
    .transform((value) => value.replace(/\/+$/, ''))
    .default('https://api.dingtalk.com'),
  DINGTALK_RECONNECT_BASE_MS: ms('DINGTALK_RECONNECT_BASE_MS', 10).default(1_000),
  DINGTALK_RECONNECT_MAX_MS: ms('DINGTALK_RECONNECT_MAX_MS', 100).default(60_000),
  DINGTALK_IDLE_TIMEOUT_MS: ms('DINGTALK_IDLE_TIMEOUT_MS', 1_000).default(60_000),
  DINGTALK_CARD_TEMPLATE_ID: z
    .string()
    .regex(
      /^[\w.-]{1,128}$/,
      'DINGTALK_CARD_TEMPLATE_ID must be a card template id from the card platform, such as 1a2b3c4d-….schema',
    )
    .optional(),
  PORT: z
    .string()
    .regex(/^\d{1,5}$/, 'PORT must be a port number')
    .transform(Number)
    .refine((port) => port <= 65535, 'PORT must be at most 65535')
    .optional(),
});

/** Reads and validates the bot's environment; throws a {@link ConfigError} naming the variable. */
export function loadDingTalkConfig(env: Readonly<Record<string, string | undefined>>): DingTalkBotConfig {
  const v = readEnvSection(schema, env, (name) => name.startsWith('DINGTALK_') || name === 'PORT');
  const receiptToken = loadReceiptToken(env);
  if (receiptToken !== undefined && v.PORT === undefined)
    throw new ConfigError(
      'AXN_RECEIPT_TOKEN is set but PORT is not: call receipts are taken on PORT (/aliyun/receipts/{MessageType}), so set PORT, or unset AXN_RECEIPT_TOKEN',
    );
  return {
    clientId: v.DINGTALK_CLIENT_ID,
    clientSecret: v.DINGTALK_CLIENT_SECRET,
    gatewayUrl: v.DINGTALK_GATEWAY_URL,
    apiUrl: v.DINGTALK_API_URL,
    port: v.PORT,
    receiptToken,
    cardTemplateId: v.DINGTALK_CARD_TEMPLATE_ID,
    reconnectBaseMs: v.DINGTALK_RECONNECT_BASE_MS,
    reconnectMaxMs: v.DINGTALK_RECONNECT_MAX_MS,
    idleTimeoutMs: v.DINGTALK_IDLE_TIMEOUT_MS,
    // Replies default to Chinese here.
    service: loadBotServiceConfig(env, { locale: 'zh' }),
  };
}

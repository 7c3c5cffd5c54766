/**
 * Every error code axnbot knows — Aliyun's business codes (HTTP 200, in `Code`), the POP gateway's
 * codes (HTTP 4xx/5xx), and axnbot's own `local.*` codes — with what kind of failure it is, whether a
 * retry can help, and a short message and remedy in Chinese and English. Chat replies take their text
 * from here and nowhere else.
 */

/** What kind of failure a code is; front ends group advice by it. */
export type ErrorCategory =
  | 'auth'
  | 'account'
  | 'input'
  | 'capacity'
  | 'conflict'
  | 'throttle'
  | 'upstream'
  | 'internal'
  | 'local'
  | 'unknown';

/** Every code the table describes; a typo in one of these fails to compile. */
export type KnownErrorCode = keyof typeof ROWS;

declare const serverSent: unique symbol;
/** A code a server sent that the table does not list: only {@link errorCodeFrom} makes one. */
export type ServerErrorCode = string & { readonly [serverSent]: true };

/** An error's code: one the table knows, or whatever a server sent. */
export type ErrorCode = KnownErrorCode | ServerErrorCode;

/** Takes a code as a server sent it (or any text): the table's own when listed. */
export function errorCodeFrom(code: string): ErrorCode {
  return code as ErrorCode;
}

/** One language's words for a code. */
export interface ErrorText {
  readonly message: string;
  readonly remedy: string;
}

/** A code's entry in the table. */
export interface ErrorDescription {
  readonly code: ErrorCode;
  readonly category: ErrorCategory;
  /** Whether a later identical call can succeed without anyone changing anything. */
  readonly retryable: boolean;
  /**
   * Whether a *write* answered with this code may nonetheless have taken effect. True for server-side
   * failures (`isp.SYSTEM_ERROR`, `InternalError`, `ServiceUnavailable`, an unreadable body, a code the
   * table does not know): the service may have acted before it failed. False for refusals the service
   * documents as made before executing anything (input, auth, account, capacity, conflict, throttling).
   * A write failing with such a code is an unknown outcome, never retried blindly.
   */
  readonly mayHaveTakenEffect: boolean;
  readonly en: ErrorText;
  readonly zh: ErrorText;
}

type Row = readonly [
  category: ErrorCategory,
  retryable: boolean,
  en: readonly [message: string, remedy: string],
  zh: readonly [message: string, remedy: string],
];

const ROWS = {
  // — the product document's codes —
  OK: ['local', false, ['Success.', 'Nothing to do.'], ['成功。', '无需处理。']],
  'isp.RAM_PERMISSION_DENY': [
    'auth',
    false,
    [
      'The RAM user may not call this API.',
      'Grant the RAM user the dypls permissions (e.g. AliyunDyplsFullAccess).',
    ],
    ['RAM 权限不足。', '为该 RAM 用户授予号码隐私保护（dypls）相关权限。'],
  ],
  'isv.OUT_OF_SERVICE': [
    'account',
    false,
    [
      'The service is suspended, usually for an overdue balance.',
      'Top up the Alibaba Cloud account, then try again.',
    ],
    ['业务已停机，通常因为欠费。', '为阿里云账号充值后重试。'],
  ],
  'isv.PRODUCT_UN_SUBSCRIPT': [
    'account',
    false,
    [
      'This account has not activated Cloud Communication.',
      'Activate Phone Number Protection for the account that owns this AccessKey.',
    ],
    ['该账号未开通云通信服务。', '为该 AccessKey 所属账号开通号码隐私保护。'],
  ],
  'isv.PRODUCT_UNSUBSCRIBE': [
    'account',
    false,
    ['Phone Number Protection is not activated.', 'Activate the product in the console.'],
    ['产品未开通。', '在控制台开通号码隐私保护产品。'],
  ],
  'isv.ACCOUNT_NOT_EXISTS': [
    'account',
    false,
    ['The account does not exist.', 'Check the AccessKey belongs to the right account.'],
    ['账户不存在。', '确认 AccessKey 属于正确的账号。'],
  ],
  'isv.ACCOUNT_ABNORMAL': [
    'account',
    false,
    [
      'The account is abnormal (possibly overdue).',
      'Check the account status and balance, then try again later.',
    ],
    ['账户异常（可能欠费）。', '检查账户状态与余额，稍后重试。'],
  ],
  'isp.SYSTEM_ERROR': [
    'upstream',
    true,
    ['Alibaba Cloud had a system error.', 'Try again in a moment.'],
    ['阿里云系统错误。', '请稍后重试。'],
  ],
  'isp.UNKNOWN_ERR_CODE': [
    'upstream',
    true,
    ['The carrier returned an unknown error.', 'Try again in a moment.'],
    ['运营商返回未知错误。', '请稍后重试。'],
  ],
  'isv.PARTNER_NOT_EXIST': [
    'account',
    false,
    [
      'The partner (account) is unknown to the service.',
      'Check the account is activated; contact Alibaba Cloud if it persists.',
    ],
    ['未知合作伙伴。', '确认账号已开通；持续出现请联系阿里云。'],
  ],
  'isv.NO_NOT_EXIST': [
    'input',
    false,
    [
      'That X number does not exist in your account or pool.',
      'Pick an X number from this pool, or leave x= out.',
    ],
    ['该号码不存在于您的账号或号池中。', '改用本号池中的 X 号码，或不指定 x=。'],
  ],
  'isv.ILLEGAL_ARGUMENT': [
    'input',
    false,
    ['A parameter is not valid.', 'Check the values; an extension needs an X number (x=).'],
    ['参数非法。', '检查参数；指定分机号时必须同时指定 X 号码（x=）。'],
  ],
  'isp.DAO_EXCEPTION': [
    'upstream',
    true,
    ['Alibaba Cloud had a database error.', 'Try again in a moment.'],
    ['阿里云数据库异常。', '请稍后重试。'],
  ],
  'isv.NO_AVAILABLE_NUMBER': [
    'capacity',
    false,
    [
      'No X number or extension is free.',
      'Try another city, unbind unused bindings, or add numbers to the pool.',
    ],
    ['没有可用的号码或分机号。', '换一个城市、解绑不再使用的绑定，或为号池增加号码。'],
  ],
  'isp.VENDOR_UNAVAILABLE': [
    'upstream',
    true,
    ['The carrier is degraded.', 'Try again later.'],
    ['运营商降级。', '请稍后重试。'],
  ],
  'isv.FLOW_LIMIT': [
    'throttle',
    true,
    ['Too many requests for this API.', 'Slow down (lower AXN_MAX_QPS) and try again.'],
    ['业务流控。', '降低调用频率（调低 AXN_MAX_QPS）后重试。'],
  ],
  'isv.PARTNER_IS_CLOSED': [
    'account',
    false,
    ['The partner account is closed.', 'Contact Alibaba Cloud.'],
    ['合作伙伴已关闭。', '请联系阿里云。'],
  ],
  'isv.FORBIDDEN_ACTION': [
    'conflict',
    false,
    [
      'That action is not allowed on this binding (it may have expired).',
      'Check the binding with info; bind again if it expired.',
    ],
    ['不允许此操作（绑定可能已过期）。', '用“查询”查看绑定；已过期请重新绑定。'],
  ],
  'isv.NO_USED_BY_OTHERS': [
    'conflict',
    false,
    ['The number is used by another business.', 'Use a different X number.'],
    ['号码已被其他业务占用。', '换一个 X 号码。'],
  ],
  'isv.VENDOR_BIND_FAILED': [
    'upstream',
    false,
    ['The carrier failed to bind.', 'Try again; if it persists, use another X number.'],
    ['运营商绑定失败。', '请重试；持续失败请换一个 X 号码。'],
  ],
  'isv.EXPIRE_DATE_ILLEGAL': [
    'input',
    false,
    [
      'The expiry is malformed or less than a minute from now.',
      'Give an expiry more than a minute ahead, e.g. expires=2d.',
    ],
    ['过期时间格式错误或距今不足 1 分钟。', '设置 1 分钟以后的过期时间，例如 有效期=2天。'],
  ],
  'isv.MOBILE_NUMBER_ILLEGAL': [
    'input',
    false,
    ['A phone number is malformed.', 'Use digits only: an 11-digit mobile or a landline with its area code.'],
    ['号码格式错误。', '只用数字：11 位手机号，或带区号的固话。'],
  ],
  'isv.BIND_CONFLICT': [
    'conflict',
    false,
    [
      'That number is already bound on this X number (or the extension is taken).',
      'Look it up with info, or choose another X or extension.',
    ],
    [
      '绑定冲突：该号码已绑定到这个 X 号码，或分机号已被占用。',
      '用“查询”查看现有绑定，或换一个 X 号码/分机号。',
    ],
  ],
  // — codes from the current error page and the metadata —
  'isv.SUBS_NOT_EXIST': [
    'input',
    false,
    [
      'The binding does not exist (or has expired).',
      'Check the SubsId and X number belong together; list bindings to find it.',
    ],
    ['绑定关系不存在或已过期。', '确认绑定ID与 X 号码匹配；用“列表”查找。'],
  ],
  'isv.BUY_NUM_OVER_LIMIT': [
    'capacity',
    false,
    [
      'Too many numbers in one purchase, or not enough real-name quota.',
      'Buy at most 10,000 at a time; raise the quota.',
    ],
    ['购买数量超限或实名额度不足。', '单次最多购买 10,000 个；提升额度。'],
  ],
  'isv.POOLKEY_NOT_EXISTS': [
    'input',
    false,
    ['The pool key does not exist.', 'Check AXN_POOL_KEY (or pool=) against the console.'],
    ['号池 Key 不存在。', '对照控制台检查 AXN_POOL_KEY（或 号池=）。'],
  ],
  POOLKEY_NOT_EXIST: [
    'input',
    false,
    ['The pool key does not exist.', 'Check AXN_POOL_KEY (or pool=) against the console.'],
    ['号池 Key 不存在。', '对照控制台检查 AXN_POOL_KEY（或 号池=）。'],
  ],
  'isp.GATEWAY_ERROR': [
    'upstream',
    true,
    ['Alibaba Cloud failed to reach an internal module.', 'Try again in a moment.'],
    ['调用内部模块失败。', '请稍后重试。'],
  ],
  'isv.INVALID_PARAMETERS': [
    'input',
    false,
    ['A parameter is malformed.', 'Read the message for the parameter and fix its value.'],
    ['参数格式错误。', '根据提示修正对应参数。'],
  ],
  'isv.UPDATE_CONFLICT': [
    'conflict',
    false,
    ['The update conflicts with the binding.', 'Check the binding with info, then try a different change.'],
    ['修改与绑定关系冲突。', '用“查询”查看绑定后再修改。'],
  ],
  FlowLimited: [
    'throttle',
    true,
    ['The operation is denied due to flow control.', 'Slow down and try again.'],
    ['触发流控。', '降低频率后重试。'],
  ],
  RamPermissionDenied: [
    'auth',
    false,
    ['The RAM user may not call this API.', 'Grant the RAM user the dypls permissions.'],
    ['RAM 权限不足。', '为该 RAM 用户授予 dypls 权限。'],
  ],
  // — POP gateway codes —
  'InvalidProduct.NotFound': [
    'internal',
    false,
    ['The endpoint does not serve this product.', 'Check AXN_ENDPOINT (dyplsapi.aliyuncs.com).'],
    ['找不到该产品。', '检查 AXN_ENDPOINT（dyplsapi.aliyuncs.com）。'],
  ],
  'InvalidApi.NotFound': [
    'internal',
    false,
    ['The API does not exist.', 'Check the action name and version.'],
    ['接口不存在。', '检查接口名与版本。'],
  ],
  'InvalidAction.NotFound': [
    'internal',
    false,
    ['The action does not exist.', 'Check the action name (e.g. BindAxnExtension).'],
    ['接口不存在。', '检查接口名（例如 BindAxnExtension）。'],
  ],
  'InvalidProtocol.NeedSsl': [
    'internal',
    false,
    ['The request must use HTTPS.', 'Use an https:// endpoint.'],
    ['请求必须使用 HTTPS。', '改用 https:// 地址。'],
  ],
  MissingParameter: [
    'input',
    false,
    ['A required parameter is missing.', 'Read the message for the parameter, then add it.'],
    ['缺少必填参数。', '按提示补充参数。'],
  ],
  'InvalidAccessKeyId.NotFound': [
    'auth',
    false,
    ['The AccessKey ID is not known.', 'Check ALIBABA_CLOUD_ACCESS_KEY_ID.'],
    ['AccessKey ID 不存在。', '检查 ALIBABA_CLOUD_ACCESS_KEY_ID。'],
  ],
  'InvalidAccessKeyId.Inactive': [
    'auth',
    false,
    ['The AccessKey is disabled.', 'Enable the AccessKey or use another one.'],
    ['AccessKey 已禁用。', '启用该 AccessKey 或换一个。'],
  ],
  'InvalidTimeStamp.Format': [
    'internal',
    false,
    ['The request timestamp is malformed.', 'This is a client bug; report it.'],
    ['请求时间戳格式错误。', '这是客户端缺陷，请反馈。'],
  ],
  'InvalidTimeStamp.Expired': [
    'auth',
    false,
    ['The request timestamp is more than 15 minutes off.', "Fix this machine's clock (NTP)."],
    ['请求时间戳与服务器相差超过 15 分钟。', '校准本机时钟（NTP）。'],
  ],
  SignatureNonceUsed: [
    'internal',
    true,
    ['The signature nonce was used already.', 'Retry; each request gets a fresh nonce.'],
    ['签名随机数已被使用。', '重试即可，每次请求使用新的随机数。'],
  ],
  SignatureDoesNotMatch: [
    'auth',
    false,
    ["The request signature does not match the server's.", 'Check ALIBABA_CLOUD_ACCESS_KEY_SECRET.'],
    ['签名不匹配。', '检查 ALIBABA_CLOUD_ACCESS_KEY_SECRET。'],
  ],
  IncompleteSignature: [
    'auth',
    false,
    ['The request signature is incomplete.', 'This is a client bug; report it.'],
    ['签名不完整。', '这是客户端缺陷，请反馈。'],
  ],
  InvalidVersion: [
    'internal',
    false,
    ['The API version is not valid.', 'Use version 2017-05-25.'],
    ['接口版本无效。', '使用版本 2017-05-25。'],
  ],
  'Throttling.User': [
    'throttle',
    true,
    ['Too many requests from this user.', 'Slow down (lower AXN_MAX_QPS) and try again.'],
    ['用户流控。', '降低频率（调低 AXN_MAX_QPS）后重试。'],
  ],
  'Throttling.Api': [
    'throttle',
    true,
    ['Too many requests for this API.', 'Slow down and try again.'],
    ['接口流控。', '降低频率后重试。'],
  ],
  Throttling: [
    'throttle',
    true,
    ['The request was throttled.', 'Slow down and try again.'],
    ['请求被流控。', '降低频率后重试。'],
  ],
  'InvalidSecurityToken.Expired': [
    'auth',
    false,
    ['The STS security token has expired.', 'Refresh ALIBABA_CLOUD_SECURITY_TOKEN.'],
    ['STS 安全令牌已过期。', '更新 ALIBABA_CLOUD_SECURITY_TOKEN。'],
  ],
  'Forbidden.RAM': [
    'auth',
    false,
    ['The RAM user is not authorised for this action.', 'Grant the RAM user the dypls permissions.'],
    ['RAM 用户无权执行此操作。', '为该 RAM 用户授权。'],
  ],
  'Forbidden.AccessKeyDisabled': [
    'auth',
    false,
    ['The AccessKey is disabled.', 'Enable it or use another AccessKey.'],
    ['AccessKey 已禁用。', '启用或更换 AccessKey。'],
  ],
  InternalError: [
    'upstream',
    true,
    ['Alibaba Cloud failed with an unknown error.', 'Try again in a moment.'],
    ['服务器内部错误。', '请稍后重试。'],
  ],
  ServiceUnavailable: [
    'upstream',
    true,
    ['The service is temporarily unavailable.', 'Try again in a moment.'],
    ['服务暂时不可用。', '请稍后重试。'],
  ],
  // — axnbot's own codes —
  'local.VALIDATION': [
    'local',
    false,
    ['The request is not valid.', 'Fix the value named in the message.'],
    ['请求参数无效。', '按提示修正参数。'],
  ],
  'local.CONFIG': [
    'local',
    false,
    ['axnbot is not configured correctly.', 'Fix the setting named in the message.'],
    ['axnbot 配置错误。', '按提示修正配置项。'],
  ],
  'local.TIMEOUT': [
    'local',
    true,
    [
      'The call did not finish before its deadline.',
      'Try again; raise AXN_TIMEOUT_MS if it keeps happening.',
    ],
    ['调用超时。', '请重试；经常超时可调大 AXN_TIMEOUT_MS。'],
  ],
  'local.NETWORK': [
    'local',
    true,
    ['The service could not be reached.', 'Check the network and AXN_ENDPOINT, then try again.'],
    ['无法连接服务。', '检查网络与 AXN_ENDPOINT 后重试。'],
  ],
  'local.DECODE': [
    'upstream',
    false,
    [
      'The service answered with something that is not a valid response.',
      'Check AXN_ENDPOINT points at dyplsapi; report it if it does.',
    ],
    ['服务返回了无法解析的响应。', '确认 AXN_ENDPOINT 指向 dyplsapi；若正确请反馈。'],
  ],
  'local.OUTCOME_UNKNOWN': [
    'local',
    false,
    [
      'The request was sent but no answer came back, so it may or may not have taken effect.',
      'Run info on the number to check before binding again.',
    ],
    ['请求已发出但未收到应答，无法确定是否生效。', '先用“查询”确认，再决定是否重新绑定。'],
  ],
  'local.POLICY_DENIED': [
    'local',
    false,
    [
      'You are not allowed to do that here.',
      'Ask an axnbot admin to add you (AXN_ALLOW_USERS / AXN_ADMINS).',
    ],
    ['您无权在此执行该操作。', '请联系 axnbot 管理员授权（AXN_ALLOW_USERS / AXN_ADMINS）。'],
  ],
  'local.RATE_LIMITED': [
    'throttle',
    true,
    ['You are binding too fast.', 'Wait a minute and try again.'],
    ['操作过于频繁。', '请稍等一分钟再试。'],
  ],
  'local.INTERNAL': [
    'internal',
    false,
    ['axnbot failed unexpectedly.', 'Try again; if it persists, give your operator the error ref below.'],
    ['axnbot 发生意外错误。', '请重试；持续出现请把下方的错误编号告诉管理员。'],
  ],
  'local.NOT_FOUND': [
    'local',
    false,
    ['No binding matches that.', 'Use a SubsId, an A number, or X#extension from list.'],
    ['找不到对应的绑定。', '使用绑定ID、A号码或“X号码#分机号”（见“列表”）。'],
  ],
} as const satisfies Record<string, Row>;

/**
 * Server-side failures: they can come after the service acted, so for a write they say nothing about
 * whether it took effect. Every other listed code is a refusal made before anything was executed.
 */
const AFTER_EFFECT_POSSIBLE: ReadonlySet<string> = new Set([
  'isp.SYSTEM_ERROR',
  'isp.UNKNOWN_ERR_CODE',
  'isp.DAO_EXCEPTION',
  'isp.VENDOR_UNAVAILABLE',
  'isp.GATEWAY_ERROR',
  'InternalError',
  'ServiceUnavailable',
  'local.DECODE',
]);

const TABLE: ReadonlyMap<string, ErrorDescription> = new Map(
  (Object.entries(ROWS) as Array<[KnownErrorCode, Row]>).map(([code, [category, retryable, en, zh]]) => [
    code,
    {
      code,
      category,
      retryable,
      mayHaveTakenEffect: AFTER_EFFECT_POSSIBLE.has(code),
      en: { message: en[0], remedy: en[1] },
      zh: { message: zh[0], remedy: zh[1] },
    },
  ]),
);

/** Every code in the table. */
export const KNOWN_ERROR_CODES = Object.keys(ROWS) as readonly KnownErrorCode[];

/**
 * Describes an error code. Codes the table does not list still get a description: the gateway's
 * `Missing{Name}` family maps to `MissingParameter`, and anything else is category `unknown`, not
 * retryable, with generic text (callers keep the server's own message alongside).
 */
export function describeError(code: string): ErrorDescription {
  const known = TABLE.get(code);
  if (known) return known;
  const missing = TABLE.get('MissingParameter');
  if (missing && /^Missing[A-Z]/.test(code)) return { ...missing, code: errorCodeFrom(code) };
  return {
    code: errorCodeFrom(code),
    category: 'unknown',
    retryable: false,
    // A code nobody documented: nothing proves the service did not act on it.
    mayHaveTakenEffect: true,
    en: {
      message: `The service answered ${code}.`,
      remedy: "Read the service's message; retry only if it says so.",
    },
    zh: { message: `服务返回错误 ${code}。`, remedy: '请阅读服务返回的说明；如无提示请勿重试。' },
  };
}

/** Whether the code is in the table (rather than described generically). */
export function isKnownErrorCode(code: string): boolean {
  return TABLE.has(code);
}

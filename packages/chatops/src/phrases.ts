import type { Locale } from './language/commands.js';

/**
 * Every sentence, label and status word axnbot shows a chat user, in English and Chinese. Renderers (the
 * terminal text, Slack's Block Kit, DingTalk's markdown) and the service take their words from here and
 * do layout only, so the product speaks one vocabulary and the two languages cannot drift apart.
 *
 * `{name}` is a slot that {@link phrase} fills; both languages of a key have the same slots (checked by
 * the compiler below and by a test). Chinese prose uses full-width punctuation (，。：；？！（）“”); words
 * follow the glossary in docs/ARCHITECTURE.md (A号码, 隐私号, 分机号, 绑定ID, 号池, 过期时间, 解绑, 延期,
 * 查询, 列表). What stays out: the command vocabulary the parser reads (verbs and option names in both
 * languages, in `language/parse-command.ts`), and core's error taxonomy (each code's message and remedy).
 */
export const PHRASES = {
  // — binding statuses —
  'status.pending': { en: 'pending', zh: '处理中' },
  'status.active': { en: 'active', zh: '生效中' },
  'status.unknown': { en: 'outcome unknown', zh: '结果未知' },
  'status.unbound': { en: 'unbound', zh: '已解绑' },
  'status.expired': { en: 'expired', zh: '已过期' },
  'status.failed': { en: 'failed', zh: '失败' },

  // — refusals by policy —
  'denied.user-not-allowed': {
    en: 'You are not on the list of people who may use axnbot.',
    zh: '您不在 axnbot 的授权用户名单中。',
  },
  'denied.channel-not-allowed': {
    en: 'axnbot is not enabled in this channel.',
    zh: '此群或频道未启用 axnbot。',
  },
  'denied.admin-only': { en: 'Only axnbot admins may do that.', zh: '只有 axnbot 管理员可以这样做。' },
  'denied.rate-limited': {
    en: 'You are binding too fast; wait a minute and try again.',
    zh: '绑定过于频繁，请稍等一分钟再试。',
  },
  'denied.not-owner': {
    en: 'Only whoever bound it, or an admin, may change this binding.',
    zh: '只有绑定人或管理员可以修改此绑定。',
  },
  'denied.not-binder': {
    en: 'Only whoever bound this number, or an admin, may hear its recordings.',
    zh: '只有绑定人或管理员可以收听此号码的录音。',
  },

  // — help and usage —
  'help.intro': {
    en: 'axnbot binds a real number (A) behind a shared privacy number (X) and an extension. Commands:',
    zh: 'axnbot 把真实号码（A号码）隐藏在隐私号（X号码）和分机号后面。命令：',
  },
  'help.summary': {
    en: '{name} hides a real number behind a privacy number and an extension.',
    zh: '{name} 把真实号码隐藏在隐私号和分机号后面。',
  },
  'help.title': { en: 'Help', zh: '帮助' },
  'help.heading': { en: 'axnbot help', zh: 'axnbot 帮助' },
  'help.example': { en: 'Example: {command}', zh: '例如：{command}' },
  'help.exampleCommand': {
    en: 'bind 13800138000 city=北京 expires=2d',
    zh: '绑定 13800138000 城市=北京 有效期=2天',
  },
  'help.exampleSlashCommand': {
    en: '/bind 13800138000 city=北京 expires=2d',
    zh: '/bind 13800138000 城市=北京 有效期=2天',
  },
  'help.detail.bind': {
    en: 'Binds one or more A numbers (up to the bulk limit). expires takes 30m, 2h, 2d, 1w, 1d12h or a Beijing time such as 2026-12-01 18:00.',
    zh: '绑定一个或多个A号码。有效期可写 30分钟、3小时、2天、1周，或北京时间如 2026-12-01 18:00。',
  },
  'help.detail.unbind': { en: 'Ends a binding now.', zh: '立即解绑。' },
  'help.detail.extend': {
    en: 'Adds time to a binding: extend 13800138000 1d adds a day to its expiry. A Beijing time sets the expiry instead: extend 13800138000 until 2026-12-05 18:00. An earlier time is refused unless you add shorten (extend … shorten 2h ends it two hours from now).',
    zh: '给绑定延长时间：延期 13800138000 1天 即在当前过期时间上再加一天。写北京时间则直接改为该时间：延期 13800138000 到 2026-12-05 18:00。早于当前过期时间会被拒绝，除非加上“缩短”（延期 … 缩短 2小时 即两小时后到期）。',
  },
  'help.detail.info': {
    en: 'Shows a binding and checks it with Alibaba Cloud.',
    zh: '查看绑定并向阿里云核对。',
  },
  'help.detail.list': {
    en: 'Lists your live bindings (admins: list all).',
    zh: '列出您的有效绑定（管理员可用“列表 全部”）。',
  },
  'help.detail.calls': {
    en: 'Lists the calls of a binding, newest first: who called whom, how long they talked, and why a call did not connect.',
    zh: '列出绑定的通话记录（最新的在前）：谁呼叫了谁、通话多久、未接通的原因。',
  },
  'help.detail.recording': {
    en: 'Sends you, and only you, a fresh link to a call’s recording (what "▶ Recording" does).',
    zh: '把通话录音的新链接单独发给您（即“▶ 录音”）。',
  },
  'help.detail.help': { en: 'Shows this help.', zh: '显示帮助。' },
  'usage.bind': {
    en: 'bind <A number> [more A numbers…] [city=北京] [expires=2d] [x=<X> ext=<1-3 digits>] [b=<default B>] [record=yes] [out=<text>]',
    zh: '绑定 <A号码> [更多A号码…] [城市=北京] [有效期=2天] [号码=<X号码> 分机=<1-3位>] [默认=<B号码>] [录音=是] [业务号=<文本>]',
  },
  'usage.unbind': { en: 'unbind <SubsId | A number | X#ext>', zh: '解绑 <绑定ID | A号码 | X号码#分机号>' },
  'usage.extend': {
    en: 'extend <SubsId | A number | X#ext> <+duration: 1d | until 2026-12-01 18:00> [shorten]',
    zh: '延期 <绑定ID | A号码 | X号码#分机号> <再延长时长：1天 | 到 2026-12-01 18:00> [缩短]',
  },
  'usage.info': { en: 'info <SubsId | A number | X#ext>', zh: '查询 <绑定ID | A号码 | X号码#分机号>' },
  'usage.list': { en: 'list [mine | all]', zh: '列表 [我的 | 全部]' },
  'usage.calls': { en: 'calls <SubsId | A number | X#ext>', zh: '通话 <绑定ID | A号码 | X号码#分机号>' },
  'usage.recording': { en: 'recording <call id>', zh: '录音 <通话ID>' },
  'usage.pool': { en: 'pool [city] [remain]', zh: '号池 [城市] [余量]' },
  'usage.silence': {
    en: 'silence <SubsId | A number | X#ext>',
    zh: '不再提醒 <绑定ID | A号码 | X号码#分机号>',
  },
  'help.detail.pool': {
    en: 'Shows the pool city by city: the X numbers seen, the active bindings, and the binds of the last 24 hours that got a number from another city or none. Admins: pool 北京 remain also asks Alibaba Cloud how many numbers are for sale there.',
    zh: '按城市显示号池：已使用的隐私号、生效中的绑定，以及24小时内分配到其他城市或无号可用的绑定次数。管理员可用“号池 北京 余量”向阿里云查询该城市可购买的号码数量。',
  },
  'help.detail.silence': {
    en: 'Turns off a binding’s reminder and expiry notice: it expires as planned (what "Let it expire" does).',
    zh: '关闭绑定的到期提醒和过期通知，绑定按原定时间过期（即“任其过期”）。',
  },
  'parse.remainNeedsCity': {
    en: 'Say which city to ask about, e.g. pool 北京 remain.',
    zh: '请指明要查询的城市，例如：号池 北京 余量。',
  },
  'parse.notCity': { en: '"{token}" is not a city name.', zh: '“{token}”不是城市名。' },
  'usage.help': {
    en: 'help [bind | unbind | extend | info | list | calls | pool]',
    zh: '帮助 [绑定 | 解绑 | 延期 | 查询 | 列表 | 通话 | 号池]',
  },

  // — the parser's refusals: {token} is what the user typed, {key} the option as typed —
  'parse.empty': { en: 'Type a command.', zh: '请输入命令。' },
  'parse.unknownVerb': { en: '"{token}" is not a command.', zh: '“{token}”不是命令。' },
  'parse.unclosedQuote': { en: 'A quote is not closed: {token}', zh: '引号没有闭合：{token}' },
  'parse.unknownKey': { en: '"{token}" is not an option of bind.', zh: '“{token}”不是绑定的选项。' },
  'parse.repeatedKey': { en: '{token} is given twice.', zh: '{token} 重复了。' },
  'parse.emptyValue': {
    en: '{token} needs a value, e.g. {example}.',
    zh: '{token} 需要一个值，例如 {example}。',
  },
  'parse.notPhone': {
    en: '"{token}" is not a phone number (11-digit mobile, or landline with area code).',
    zh: '“{token}”不是有效的电话号码（11位手机号，或带区号的固话）。',
  },
  'parse.noPhone': { en: 'Give at least one A number to bind.', zh: '请至少给出一个要绑定的A号码。' },
  'parse.tooMany': {
    en: 'At most {max} numbers in one bind; you gave {count}.',
    zh: '一次最多绑定 {max} 个号码，您给了 {count} 个。',
  },
  'parse.badExpiry': {
    en: '"{token}" is not a duration (2d, 3h, 1d12h) or a Beijing time (2026-12-01 18:00).',
    zh: '“{token}”不是时长（2天、3小时）或北京时间（2026-12-01 18:00）。',
  },
  'parse.tooSoon': {
    en: 'The expiry {token} must be more than a minute from now.',
    zh: '过期时间 {token} 必须在1分钟以后。',
  },
  'parse.tooLate': {
    en: 'The expiry {token} is beyond the limit of {max} from now.',
    zh: '过期时间 {token} 超出上限（{max}）。',
  },
  'parse.badExtension': {
    en: '{key}: the extension "{token}" must be 1–3 digits.',
    zh: '{key}：分机号“{token}”必须是1-3位数字。',
  },
  'parse.extensionNeedsX': {
    en: 'An extension needs an X number too: add x=<X number>.',
    zh: '指定分机号时必须同时指定号码=<X号码>。',
  },
  'parse.extensionBulk': {
    en: 'ext= and x= bind a single number; remove them to bind several.',
    zh: '分机=和号码=只能用于单个号码；批量绑定请去掉。',
  },
  'parse.badX': {
    en: '{key}: "{token}" is not an X number (digits only).',
    zh: '{key}：“{token}”不是有效的X号码（只能是数字）。',
  },
  'parse.badB': {
    en: '{key}: "{token}" is not a phone number (11-digit mobile, or landline with area code).',
    zh: '{key}：“{token}”不是有效的电话号码（11位手机号，或带区号的固话）。',
  },
  'parse.badRecord': { en: '{key}: "{token}" is not yes or no.', zh: '{key}：“{token}”应为“是”或“否”。' },
  // {token} is the key as typed (`out`, `outid`, `业务号`): echoing 900 bytes back helps nobody.
  'parse.outTooLong': {
    en: '{token} is {bytes} bytes; at most 255.',
    zh: '{token} 有 {bytes} 字节，最多 255 字节。',
  },
  'parse.badCity': {
    en: '{key}: the city "{token}" is too long (at most 32 characters).',
    zh: '{key}：城市“{token}”太长（最多32个字符）。',
  },
  'parse.badPool': { en: '{key}: the pool key "{token}" is not valid.', zh: '{key}：号池“{token}”无效。' },
  'parse.noTarget': {
    en: 'Say which binding: a SubsId, an A number, or X#ext.',
    zh: '请指定绑定：绑定ID、A号码或“X号码#分机号”。',
  },
  'parse.badTarget': {
    en: '"{token}" is not a SubsId, an A number or X#ext.',
    zh: '“{token}”不是绑定ID、A号码或“X号码#分机号”。',
  },
  'parse.noExpiry': {
    en: 'Say until when: a duration (2d) or a Beijing time.',
    zh: '请给出延期到何时：时长（2天）或北京时间。',
  },
  'parse.extraWords': { en: '"{token}" was not expected here.', zh: '这里不需要“{token}”。' },
  'parse.noCallId': { en: 'Give the call id, as in the call’s line.', zh: '请给出通话ID。' },
  'parse.badCallId': { en: '"{token}" is not a call id.', zh: '“{token}”不是通话ID。' },
  'parse.badScope': { en: '"{token}" must be mine or all.', zh: '“{token}”应为“我的”或“全部”。' },
  'parse.badTopic': { en: '"{token}" is not a command to explain.', zh: '“{token}”不是可说明的命令。' },
  'parse.didYouMean': { en: 'did you mean {token}?', zh: '您是不是想输入 {token}？' },
  'parse.exampleExpires': { en: 'expires=2d', zh: '有效期=2天' },
  'parse.days': { en: '{days}d', zh: '{days}天' },

  // — what the service answers in its own words —
  'service.stillHandling': {
    en: 'This message is still being handled; check with list in a moment.',
    zh: '这条消息仍在处理中，请稍后用“列表”查看。',
  },
  'service.interrupted': {
    en: 'axnbot stopped while handling this message; check the binding with info before trying again.',
    zh: 'axnbot 处理这条消息时中断，请先用“查询”确认绑定情况再重试。',
  },
  'service.earlierThanCurrent': {
    en: '{at} is earlier than the current expiry, {current} (Beijing); to bring it forward, add shorten.',
    zh: '{at} 早于当前过期时间 {current}（北京时间）；如确要提前，请加上“缩短”。',
  },
  'service.tooSoon': {
    en: 'The new expiry must be more than a minute from now.',
    zh: '新的过期时间必须在1分钟以后。',
  },
  'service.beyondMax': {
    en: 'That would end {at}, more than {days}d from now (the current expiry is {current}).',
    zh: '延期后为 {at}，超过了{days}天的上限（当前过期时间 {current}）。',
  },
  'service.severalLive': {
    en: '{phone} has {count} live bindings; name one by SubsId: {ids}',
    zh: '{phone} 有 {count} 个有效绑定，请用绑定ID指定：{ids}',
  },

  // — reply headlines and titles —
  'reply.bound': { en: 'Bound', zh: '绑定成功' },
  'reply.reachable': {
    en: '{phone} is reachable at {x} ext {ext}',
    zh: '{phone} 可通过 {x} 分机号 {ext} 接通',
  },
  'reply.unbound': { en: 'Unbound', zh: '已解绑' },
  'reply.alreadyUnbound': { en: 'Already unbound', zh: '已经解绑过了' },
  'reply.unboundPhone': { en: 'Unbound {phone}', zh: '已解绑 {phone}' },
  'reply.alreadyUnboundPhone': { en: 'Already unbound {phone}', zh: '{phone} 已经解绑过了' },
  'reply.extended': { en: 'Extended', zh: '已延期' },
  'reply.extendedWas': { en: 'Extended (was {was})', zh: '已延期（原 {was}）' },
  'reply.extendedTo': { en: 'Extended to {until} (was {was})', zh: '已延期至 {until}（原 {was}）' },
  'reply.binding': { en: 'Binding', zh: '绑定详情' },
  'reply.noBinding': { en: 'No binding found.', zh: '没有找到绑定。' },
  'reply.noLiveBindings': { en: 'No live bindings.', zh: '没有有效的绑定。' },
  'reply.liveCount': { en: '{count} live binding(s)', zh: '有效绑定 {count} 个' },
  'reply.firstOnesShown': { en: ' (first ones shown)', zh: '（仅显示部分）' },
  'reply.error': { en: 'Error', zh: '出错了' },
  'reply.denied': { en: 'Not allowed', zh: '无权操作' },
  'reply.outcomeUnknown': { en: 'Outcome unknown', zh: '结果未知' },
  'reply.working': { en: 'Working on it…', zh: '处理中…' },
  // — the bind form (Slack modal) —
  'form.title': { en: 'Bind a number', zh: '绑定号码' },
  'form.submit': { en: 'Bind', zh: '绑定' },
  'form.cancel': { en: 'Cancel', zh: '取消' },
  'form.phones': { en: 'A number(s), one per line', zh: 'A号码（每行一个）' },
  'form.phonesHint': { en: 'Up to {max} at once.', zh: '一次最多 {max} 个。' },
  'form.city': { en: 'City of the X number', zh: 'X号码城市' },
  'form.cityOther': { en: 'Or another city', zh: '或其他城市' },
  'form.cityAny': { en: 'Any city', zh: '不限城市' },
  'form.expires': { en: 'Expires in', zh: '有效期' },
  'form.until': { en: 'Or until (Beijing time)', zh: '或截止到（北京时间）' },
  'form.untilDate': { en: 'Date', zh: '日期' },
  'form.untilTime': { en: 'Time', zh: '时间' },
  'form.untilBoth': {
    en: 'Pick both a date and a time, or neither.',
    zh: '请同时选择日期和时间，或都不选。',
  },
  'form.recording': { en: 'Record calls', zh: '通话录音' },
  'form.note': { en: 'Note (OutId)', zh: '备注（业务号）' },
  'form.noteHint': {
    en: 'Comes back in call receipts; up to 255 bytes.',
    zh: '会随通话回执返回；最多 255 字节。',
  },
  'form.days': { en: '{days} days', zh: '{days} 天' },
  'form.oneDay': { en: '1 day', zh: '1 天' },
  'form.shortcutDm': {
    en: 'The result will come to you as a direct message.',
    zh: '结果将以私信发给你。',
  },
  // — the Slack App Home tab —
  'home.title': { en: 'Your bindings', zh: '你的绑定' },
  'home.none': {
    en: 'You have no live bindings. Type /bind, or use the shortcut "Bind a number".',
    zh: '你目前没有生效中的绑定。输入 /bind，或使用快捷方式“绑定号码”。',
  },
  'binding.lastCall': { en: 'last call: {line}', zh: '最近通话：{line}' },
  'home.lastCall': { en: 'Last call: {line}', zh: '最近通话：{line}' },
  'home.pool': { en: 'Pool (admins)', zh: '号池（管理员可见）' },
  'home.more': {
    en: 'Showing the first {count}; /axn list shows them all.',
    zh: '仅显示前 {count} 个；/axn list 可查看全部。',
  },
  'slack.notMember': {
    en: 'axnbot is not a member of this channel, so calls on these bindings go to {user} as a direct message. Invite it (/invite @axnbot) to have them posted in a thread here.',
    zh: 'axnbot 不在这个频道中，这些绑定的通话记录将私信发给 {user}。邀请它（/invite @axnbot）即可在此处的消息串中查看。',
  },
  'bulk.summary': { en: 'Bulk bind: {ok} of {total} bound', zh: '批量绑定：成功 {ok}/{total}' },
  'bulk.title': { en: 'Bulk bind {ok}/{total}', zh: '批量绑定 {ok}/{total}' },
  'bulk.unknown': {
    en: 'outcome unknown — check with info',
    zh: '结果未知，请用“查询 <A号码>”核对',
  },
  'bulk.unknownSlash': {
    en: 'outcome unknown — check with /axn info',
    zh: '结果未知，请用“/axn 查询 <A号码>”核对',
  },
  'unknown.sent': {
    en: 'The bind for {phone} was sent but no answer came back, so it may or may not have worked.',
    zh: '{phone} 的绑定请求已发出，但没有收到应答，无法确定是否成功。',
  },
  'unknown.check': {
    en: 'Run `info <A number>` to check before binding again (ref {ref}).',
    zh: '请先用“查询 <A号码>”核对，再决定是否重新绑定（参考号 {ref}）。',
  },
  'unknown.sendCheck': {
    en: 'The bind for {phone} was sent but no answer came back. Send "info <A number>" to check before binding again (ref {ref}).',
    zh: '{phone} 的绑定请求已发出，但没有收到应答。请先发送“查询 <A号码>”核对，再决定是否重新绑定（参考号 {ref}）。',
  },

  // — calls: one line per call, and the calls reply —
  'call.toA': { en: '{peer} called {phone}', zh: '{peer} 呼叫 {phone}' },
  'call.fromA': { en: '{phone} called {peer}', zh: '{phone} 呼叫 {peer}' },
  'call.intercepted': {
    en: 'a call from {peer} to {phone} was intercepted',
    zh: '{peer} 呼叫 {phone} 被拦截',
  },
  'call.between': { en: 'a call between {phone} and {peer}', zh: '{phone} 与 {peer} 的通话' },
  'call.someone': { en: 'an unknown number', zh: '未知号码' },
  'call.talked': { en: 'talked {duration}', zh: '通话 {duration}' },
  'call.missed': { en: 'missed: {why}', zh: '未接听：{why}' },
  'call.notConnected': { en: 'not connected: {why}', zh: '未接通：{why}' },
  'call.ringing': { en: 'ringing', zh: '振铃中' },
  'call.talking': { en: 'answered, still talking', zh: '已接通，通话中' },
  'call.recording': { en: 'recording', zh: '有录音' },
  'call.recordingReady': { en: 'Recording ready: {line}', zh: '录音已生成：{line}' },
  'call.callerHungUp': { en: 'the caller hung up', zh: '主叫挂机' },
  'talk.seconds': { en: '{s}s', zh: '{s}秒' },
  'talk.minutes': { en: '{m}m {s}s', zh: '{m}分{s}秒' },
  'talk.hours': { en: '{h}h {m}m {s}s', zh: '{h}小时{m}分{s}秒' },
  'reply.calls': { en: 'Calls of {phone}', zh: '{phone} 的通话记录' },
  'reply.callTotals': {
    en: '{answered} answered, {missed} not answered, talked {duration}',
    zh: '接通 {answered} 次，未接通 {missed} 次，共通话 {duration}',
  },
  'reply.latestCalls': { en: ' (the latest {count} shown)', zh: '（仅显示最近 {count} 次）' },
  'reply.noCalls': { en: 'No calls yet.', zh: '暂无通话记录。' },
  'recording.title': { en: 'Recording', zh: '通话录音' },
  'recording.of': { en: 'Recording of the call at {time}', zh: '{time} 的通话录音' },
  'recording.until': {
    en: 'The link works until {time} (Beijing); press again for a new one.',
    zh: '链接有效至 {time}（北京时间），过期后请再点一次获取新链接。',
  },
  'recording.none': { en: 'This call has no recording.', zh: '这次通话没有录音。' },
  'recording.noCall': { en: 'No call {callId} is known.', zh: '找不到通话 {callId}。' },
  'recording.sentPrivately': {
    en: 'Sent to you in a private chat.',
    zh: '已通过单聊发给您。',
  },
  'recording.notSentPrivately': {
    en: 'Could not send it to you in a private chat: send the same command to the bot directly.',
    zh: '无法通过单聊发给您：请在与机器人的单聊中发送同样的命令。',
  },
  'action.recording': { en: '▶ Recording', zh: '▶ 录音' },

  // — why a call did not connect (the receipt's unconnected_cause) —
  'unconnected.1': { en: 'the caller is on the blacklist', zh: '主叫号码在黑名单中' },
  'unconnected.2': { en: 'no binding answers that number', zh: '没有对应的绑定' },
  'unconnected.3': { en: 'a call restriction stopped it', zh: '呼叫受限' },
  'unconnected.4': { en: 'the platform did not connect it', zh: '平台未接通' },
  'unconnected.other': { en: 'cause {code}', zh: '原因码 {code}' },

  // — how a call was released (the receipt's release_cause, Q.850) —
  'release.1': { en: 'the number does not exist', zh: '空号' },
  'release.2': { en: 'no route to that network', zh: '无法路由到指定网络' },
  'release.3': { en: 'no route to the number', zh: '无法路由到目的号码' },
  'release.4': { en: 'special information tone', zh: '特殊信息音' },
  'release.16': { en: 'hung up', zh: '正常挂机' },
  'release.17': { en: 'busy', zh: '用户忙' },
  'release.18': { en: 'no response', zh: '用户无响应' },
  'release.19': { en: 'no answer', zh: '无人接听' },
  'release.20': { en: 'switched off or out of reach', zh: '关机或不在服务区' },
  'release.21': { en: 'call rejected', zh: '呼叫被拒绝' },
  'release.22': { en: 'the number has changed', zh: '号码已改号' },
  'release.27': { en: 'the line is out of order', zh: '对方线路故障' },
  'release.28': { en: 'the number is not valid', zh: '号码格式无效' },
  'release.29': { en: 'the network refused the call', zh: '网络拒绝了呼叫' },
  'release.31': { en: 'ended', zh: '正常结束' },
  'release.34': { en: 'no line free', zh: '没有空闲线路' },
  'release.42': { en: 'the network is congested', zh: '网络拥塞' },
  'release.50': { en: 'a service the call needs is not subscribed', zh: '未开通所需业务' },
  'release.53': { en: 'outgoing calls barred in the closed group', zh: '闭合用户群内禁止呼出' },
  'release.55': { en: 'incoming calls barred in the closed group', zh: '闭合用户群内禁止呼入' },
  'release.57': { en: 'bearer capability not authorised', zh: '承载能力未授权' },
  'release.58': { en: 'bearer capability not available now', zh: '承载能力暂不可用' },
  'release.65': { en: 'bearer capability not implemented', zh: '承载能力未实现' },
  'release.69': { en: 'a service the call needs is not implemented', zh: '所需业务未实现' },
  'release.87': { en: 'not a member of the closed group', zh: '不是闭合用户群成员' },
  'release.88': { en: 'incompatible destination', zh: '目的方不兼容' },
  'release.90': { en: 'the closed group does not exist', zh: '闭合用户群不存在' },
  'release.91': { en: 'invalid transit network', zh: '转接网络无效' },
  'release.95': { en: 'invalid signalling message', zh: '信令消息无效' },
  'release.97': { en: 'signalling message not implemented', zh: '信令消息类型不存在或未实现' },
  'release.99': { en: 'signalling parameter not implemented', zh: '信令参数不存在或未实现' },
  'release.102': { en: 'a network timer ran out', zh: '网络定时器超时' },
  'release.103': { en: 'signalling parameter not implemented, passed on', zh: '信令参数未实现，已透传' },
  'release.110': { en: 'unrecognised signalling parameter dropped', zh: '无法识别的信令参数已丢弃' },
  'release.111': { en: 'protocol error', zh: '协议错误' },
  'release.127': { en: 'interworking error', zh: '网间互通错误' },
  'release.other': { en: 'cause {code}', zh: '原因码 {code}' },

  // — one binding, as lines of a reply —
  'binding.ext': { en: 'ext {ext}', zh: '分机号 {ext}' },
  'binding.cityAsked': {
    en: 'no numbers left in {asked}; this one is in {city}',
    zh: '{asked}没有可用号码，这个号码在{city}',
  },
  'binding.xUnknown': { en: 'X not known yet', zh: 'X号码未知' },
  'binding.until': { en: 'until {when}', zh: '有效期至 {when}' },
  'binding.unbound': { en: 'unbound {when}', zh: '解绑于 {when}' },
  'binding.unboundBy': { en: 'unbound {when} by {who}', zh: '解绑于 {when}，解绑人 {who}' },
  'binding.expired': { en: 'expired {when}', zh: '已于 {when} 过期' },
  'binding.recordingOn': { en: 'recording on', zh: '录音 开' },
  'binding.recordingOff': { en: 'recording off', zh: '录音 关' },

  // — labels of a binding's facts —
  'label.aNumber': { en: 'A number', zh: 'A号码' },
  'label.xNumber': { en: 'X number', zh: '隐私号' },
  'label.extension': { en: 'Extension', zh: '分机号' },
  'label.ext': { en: 'ext', zh: '分机号' },
  'label.dial': { en: 'Dial', zh: '拨号' },
  'label.dialLower': { en: 'dial', zh: '拨号' },
  'label.city': { en: 'City', zh: '城市' },
  'label.until': { en: 'Until', zh: '有效期至' },
  'label.expires': { en: 'Expires', zh: '有效期至' },
  'label.unboundAt': { en: 'Unbound', zh: '解绑于' },
  'label.unboundBy': { en: 'Unbound by', zh: '解绑人' },
  'label.expiredAt': { en: 'Expired', zh: '过期于' },
  'label.subsId': { en: 'SubsId', zh: '绑定ID' },
  'label.boundBy': { en: 'bound by', zh: '绑定人' },
  'label.status': { en: 'status', zh: '状态' },
  'label.ref': { en: 'ref', zh: '参考号' },
  'label.requestId': { en: 'RequestId', zh: 'RequestId' },
  'label.errorRef': { en: 'error ref', zh: '错误编号' },
  'label.remedy': { en: 'What to do', zh: '建议' },
  'label.usage': { en: 'Usage', zh: '用法' },
  'label.beijing': { en: 'Beijing', zh: '北京时间' },
  'label.was': { en: 'was', zh: '原' },

  // — buttons, quick links and the commands they send —
  'action.unbind': { en: 'Unbind', zh: '解绑' },
  'action.extendDay': { en: 'Extend 1d', zh: '延期 1 天' },
  'action.extendDayPlus': { en: 'Extend +1d', zh: '延期 1 天' },
  'action.confirmUnbind': { en: 'Unbind this number?', zh: '确认解绑？' },
  'action.unbindWarning': {
    en: '{phone} stops being reachable at {x} ext {ext} right away.',
    zh: '{phone} 将立即无法通过 {x} 分机号 {ext} 接通。',
  },
  'action.cancel': { en: 'Cancel', zh: '取消' },
  'command.unbind': { en: 'unbind {target}', zh: '解绑 {target}' },
  'command.extend': { en: 'extend {target} {duration}', zh: '延期 {target} {duration}' },
  'command.help': { en: 'help', zh: '帮助' },
  'command.recording': { en: 'recording {callId}', zh: '录音 {callId}' },

  // — the binding lifecycle: reminders, expiry notices, pool alerts and the pool command —
  'remind.title': { en: 'Binding expires soon', zh: '绑定即将过期' },
  'remind.text': {
    en: '{phone} at {x} ext {ext} expires {when}, {relative}.',
    zh: '{phone}（隐私号 {x} 分机号 {ext}）将于 {when}过期（{relative}）。',
  },
  'remind.choose': {
    en: 'Extend it, unbind it now, or let it expire.',
    zh: '您可以延期、立即解绑，或任其过期。',
  },
  'expired.title': { en: 'Binding expired', zh: '绑定已过期' },
  'expired.text': {
    en: '{phone} at {x} ext {ext} expired {when}; dialing it reaches nobody now.',
    zh: '{phone}（隐私号 {x} 分机号 {ext}）已于 {when}过期，现在拨打不再接通。',
  },
  'alert.title': {
    en: 'Pool {pool} is short of numbers in {city}',
    zh: '号池 {pool} 的{city}号码不足',
  },
  'alert.affected': {
    en: 'In the last hour {count} binds asking for {city} got no number there: {fallbacks} got one from another city, {refusals} were refused for want of a free number.',
    zh: '过去一小时内有 {count} 次要求{city}号码的绑定没有拿到该城市的号码：{fallbacks} 次分配了其他城市的号码，{refusals} 次因无可用号码被拒绝。',
  },
  'alert.advice': {
    en: 'Buy more numbers for {city} in the Alibaba Cloud console, or unbind idle bindings to free their extensions.',
    zh: '请在阿里云控制台为{city}购买更多号码，或解绑闲置的绑定以释放分机号。',
  },
  'alert.idleHeading': {
    en: 'The oldest idle bindings (no calls in the last 24 hours):',
    zh: '最早的闲置绑定（24小时内无通话）：',
  },
  'alert.idleLine': {
    en: '{phone} → {x} ext {ext} · SubsId {subsId} · bound by {who} · until {until}',
    zh: '{phone} → {x} 分机号 {ext} · 绑定ID {subsId} · 绑定人 {who} · 有效期至 {until}',
  },
  'alert.noIdle': {
    en: 'No idle binding to release there: only more numbers will help.',
    zh: '没有可释放的闲置绑定，只能购买更多号码。',
  },
  'pool.anyCity': { en: 'any city', zh: '不限城市' },
  'pool.title': { en: 'Pool {pool}', zh: '号池 {pool}' },
  'pool.line': {
    en: '{city}: {numbers} X numbers seen · {active} active · in 24 h {fallbacks} landed elsewhere, {refusals} refused',
    zh: '{city}：已用隐私号 {numbers} 个 · 生效绑定 {active} 个 · 24小时内分配到其他城市 {fallbacks} 次，无号可用 {refusals} 次',
  },
  'pool.empty': { en: 'No binds in this pool yet.', zh: '这个号池还没有绑定记录。' },
  'pool.remain': {
    en: 'For sale in {city} (Alibaba Cloud): {virtual} virtual-operator numbers, {carrier} carrier numbers',
    zh: '{city}可购买的号码（阿里云）：虚商号码 {virtual} 个，运营商号码 {carrier} 个',
  },
  'reply.silenced': {
    en: 'Reminders off: {phone} expires {when} as planned.',
    zh: '已关闭提醒：{phone} 将按原定时间于 {when} 过期。',
  },
  'reply.alreadySilenced': {
    en: 'Reminders were off already: {phone} expires {when}.',
    zh: '提醒已经关闭：{phone} 将于 {when} 过期。',
  },
  'action.extendWeekPlus': { en: 'Extend +7d', zh: '延期 7 天' },
  'action.unbindNow': { en: 'Unbind now', zh: '立即解绑' },
  'action.letExpire': { en: 'Let it expire', zh: '任其过期' },
  'command.silence': { en: 'silence {target}', zh: '不再提醒 {target}' },

  // — the terminal console —
  'console.banner': { en: 'axnbot console — {where}', zh: 'axnbot 控制台 — {where}' },
  'console.embedded': {
    en: 'embedded emulator {url}, pool {pool}',
    zh: '内置模拟器 {url}，号池 {pool}',
  },
  'console.endpoint': { en: '{url}, pool {pool}', zh: '{url}，号池 {pool}' },
  'console.try': {
    en: 'Try: {command}    ({exit} or Ctrl-D to leave)',
    zh: '试试：{command}（输入“{exit}”或按 Ctrl-D 离开）',
  },
  // Both languages' words leave the console, whatever its language (with `quit`).
  'console.exit': { en: 'exit', zh: '退出' },
  'console.bye': { en: 'bye', zh: '再见' },

  // — time —
  'time.beijing': { en: '{time} (Beijing)', zh: '{time}（北京时间）' },
  'time.future': { en: 'in {span}', zh: '{span}后' },
  'time.past': { en: '{span} ago', zh: '{span}前' },
  'span.day': { en: '{n} day', zh: '{n}天' },
  'span.days': { en: '{n} days', zh: '{n}天' },
  'span.hour': { en: '{n} hour', zh: '{n}小时' },
  'span.hours': { en: '{n} hours', zh: '{n}小时' },
  'span.minute': { en: '{n} minute', zh: '{n}分钟' },
  'span.minutes': { en: '{n} minutes', zh: '{n}分钟' },
  'duration.days': { en: '{n}d', zh: '{n}天' },
  'duration.hours': { en: '{n}h', zh: '{n}小时' },
  'duration.minutes': { en: '{n}m', zh: '{n}分钟' },
  'duration.underAMinute': { en: 'under a minute', zh: '不到1分钟' },

  // — punctuation that differs between the languages (layout joins with these, not with its own) —
  'punct.aside': { en: ' ({text})', zh: '（{text}）' },
  'punct.labelled': { en: '{label}: {value}', zh: '{label}：{value}' },
  'punct.leadIn': { en: '{text}:', zh: '{text}：' },
  'punct.then': { en: '{first} {second}', zh: '{first}{second}' },
} as const satisfies Record<string, Readonly<Record<Locale, string>>>;

/** A key of the catalogue. */
export type PhraseKey = keyof typeof PHRASES;

/** The slot names in a template: `'{a} of {b}'` → `'a' | 'b'`. */
export type SlotsOf<Template extends string> = Template extends `${string}{${infer Name}}${infer Rest}`
  ? Name | SlotsOf<Rest>
  : never;

/** The slots of a key (the same in both languages). */
export type PhraseSlots<K extends PhraseKey> = SlotsOf<(typeof PHRASES)[K]['en']>;

/** A key whose phrase has no slots: a label, a status word, a whole sentence. */
export type PlainPhraseKey = { [K in PhraseKey]: [PhraseSlots<K>] extends [never] ? K : never }[PhraseKey];

/** The values a key's slots are filled with. */
export type PhraseValues<K extends PhraseKey> = { readonly [Name in PhraseSlots<K>]: string | number };

// The compiler refuses a key whose languages have different slots: `check` must be `true`, and a
// mismatched key makes the type below the key's name instead (so the error names it).
type SameSlots<K extends PhraseKey> = [SlotsOf<(typeof PHRASES)[K]['en']>] extends [
  SlotsOf<(typeof PHRASES)[K]['zh']>,
]
  ? [SlotsOf<(typeof PHRASES)[K]['zh']>] extends [SlotsOf<(typeof PHRASES)[K]['en']>]
    ? never
    : K
  : K;
type MismatchedKeys = { [K in PhraseKey]: SameSlots<K> }[PhraseKey];
const slotsMatch: [MismatchedKeys] extends [never] ? true : MismatchedKeys = true;
void slotsMatch;

/**
 * A phrase from the catalogue in the reader's language, its `{slots}` filled with `values` (the compiler
 * checks their names: a key without slots takes none). Values are inserted as they are, never read as
 * templates themselves.
 */
export function phrase<K extends PhraseKey>(
  key: K,
  locale: Locale,
  ...values: [PhraseSlots<K>] extends [never] ? [] : [values: PhraseValues<K>]
): string {
  const template: string = PHRASES[key][locale];
  const [given] = values as [Readonly<Record<string, string | number>>?];
  if (!given) return template;
  return template.replace(/\{(\w+)\}/g, (slot, name: string) =>
    Object.hasOwn(given, name) ? String(given[name]) : slot,
  );
}

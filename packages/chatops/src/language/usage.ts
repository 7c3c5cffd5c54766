import type { Locale, Verb } from './commands.js';

/** How each verb is used, in both languages; shown with parse errors and by `help`. */
export const USAGE: Record<Verb, Record<Locale, string>> = {
  bind: {
    en: 'bind <A number> [more A numbers…] [city=北京] [expires=2d] [x=<X> ext=<1-3 digits>] [b=<default B>] [record=yes] [out=<text>]',
    zh: '绑定 <A号码> [更多A号码…] [城市=北京] [有效期=2天] [号码=<X> 分机=<1-3位>] [默认=<B号码>] [录音=是] [业务号=<文本>]',
  },
  unbind: { en: 'unbind <SubsId | A number | X#ext>', zh: '解绑 <绑定ID | A号码 | X号码#分机>' },
  extend: {
    en: 'extend <SubsId | A number | X#ext> <+duration: 1d | until 2026-12-01 18:00> [shorten]',
    zh: '延期 <绑定ID | A号码 | X号码#分机> <再延长时长：1天 | 到 2026-12-01 18:00> [缩短]',
  },
  info: { en: 'info <SubsId | A number | X#ext>', zh: '查询 <绑定ID | A号码 | X号码#分机>' },
  list: { en: 'list [mine | all]', zh: '列表 [我的 | 全部]' },
  help: { en: 'help [bind | unbind | extend | info | list]', zh: '帮助 [绑定 | 解绑 | 延期 | 查询 | 列表]' },
};

/** Every verb's usage, one per line. */
export function allUsage(locale: Locale): string {
  return (Object.keys(USAGE) as Verb[]).map((verb) => USAGE[verb][locale]).join('\n');
}

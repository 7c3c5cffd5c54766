#!/usr/bin/env node
// Writes card-template.json: the bot's interactive card template, in the shape DingTalk's card platform
// (卡片平台) exports and imports (更多 → 导入): `editorData`, the editor's schema as JSON text, and the
// template's `type` and `mode`. Run it after changing the template here:
//
//   node apps/dingtalk-bot/scripts/card-template.mjs
//
// The shape follows the templates DingTalk publishes with its card examples (open-dingtalk/dingtalk-card-
// examples); it is written by hand, not exported, and carries no `widgetInfo` (the compiled layout the
// editor makes when a template is saved). Whether 导入 accepts it as it is has not been tried against a
// live tenant: the README says how to build the same template in the editor if it does not. What the bot
// relies on is the contract below — the variable names, the button ids and the params they send — and
// test/card.test.ts holds this file to it.

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A template expression bound to a variable: `${name}` (spelt out so that it is not a JS template). */
const bound = (name) => `$${'{'}${name}}`;
const str = (content) => ({ type: 'dynamicString', content, i18n: false });
const visibleWhen = (conditions) => ({
  type: 'dynamicVisible',
  value: true,
  valueType: conditions.length === 0 ? 'fixed' : 'condition',
  condition: { op: 'and', conditions },
});
const isTrue = (variable, variableType) => ({
  op: 'isTrue',
  variable,
  variableType,
  type: 'variable',
  value: '',
  valueType: 'fixed',
  valueVariableType: 'global',
});
const notEmpty = (variable) => ({
  op: 'isNotEmpty',
  variable,
  variableType: 'global',
  type: 'variable',
  value: '',
  valueType: 'fixed',
  valueVariableType: 'global',
});
const fixed = (id, name, value) => ({ id, type: 'fixed', name, value, variable: '', variableType: 'global' });
const variable = (id, name, variableType) => ({
  id,
  type: 'variable',
  name,
  variable: name,
  value: '',
  variableType,
});

/** What a button press sends back: { action, subsId, cardRef } (see src/card.ts). */
const pressParams = (action) => [
  fixed('1', 'action', action),
  variable('2', 'subsId', 'loop'),
  variable('3', 'cardRef', 'global'),
];

const extendButton = {
  $$key: '0',
  id: 'extend',
  text: str(bound('extendLabel')),
  status: 'normal',
  color: 'blue',
  actionType: 'request',
  actionId: str('extend'),
  params: pressParams('extend'),
  successToast: str(''),
  failureToast: str(''),
  visible: visibleWhen([isTrue('live', 'loop')]),
};

const unbindButton = {
  $$key: '1',
  id: 'unbind',
  text: str(bound('unbindLabel')),
  status: 'normal',
  color: 'gray',
  // Unbinding cannot be undone: a confirmation first, then the request.
  actionType: 'confirm',
  confirmTitle: str(bound('unbindConfirm')),
  confirmMessage: str(bound('loop.heading')),
  confirmOkText: str('OK'),
  confirmOkAction: 'request',
  confirmOkReqActionActionId: str('unbind'),
  confirmOkReqActionParams: pressParams('unbind'),
  confirmCancelText: str('Cancel'),
  confirmCancelAction: 'none',
  visible: visibleWhen([isTrue('live', 'loop')]),
};

const text = (id, title, content, props = {}) => ({
  componentName: 'BaseText',
  id,
  title,
  props: { text: str(content), visible: visibleWhen([]), ...props },
  hidden: false,
  isLocked: false,
  condition: true,
  conditionGroup: '',
});

const componentsTree = [
  {
    componentName: 'Card',
    id: 'node_axn_card',
    props: {
      // What the conversation list shows for the card.
      summaryContent: { type: 'variableValue', variable: 'title', variableType: 'global' },
    },
    fileName: 'axnbot-binding',
    hidden: false,
    title: '',
    isLocked: false,
    condition: true,
    conditionGroup: '',
    children: [
      {
        componentName: 'CardHeaderV2',
        id: 'node_axn_header',
        title: '卡片头部',
        props: { title: str(bound('title')) },
        hidden: false,
        isLocked: false,
        condition: true,
        conditionGroup: '',
      },
      text('node_axn_summary', '摘要 summary', bound('summary'), {
        visible: visibleWhen([notEmpty('summary')]),
      }),
      {
        componentName: 'Loop',
        id: 'node_axn_bindings',
        title: '绑定 bindings',
        props: {
          listData: { type: 'variableValue', variableType: 'global', variable: 'bindings' },
          direction: 'vertical',
          childDivider: true,
          visible: visibleWhen([]),
        },
        hidden: false,
        isLocked: false,
        condition: true,
        conditionGroup: '',
        children: [
          text('node_axn_heading', '号码 heading', bound('loop.heading'), { bold: true }),
          text('node_axn_detail', '详情 detail', bound('loop.detail'), { maxLines: 8 }),
          {
            componentName: 'ButtonBlock',
            id: 'node_axn_buttons',
            title: '按钮 buttons',
            props: { buttons: [extendButton, unbindButton], visible: visibleWhen([isTrue('live', 'loop')]) },
            hidden: false,
            isLocked: false,
            condition: true,
            conditionGroup: '',
          },
        ],
      },
      // Private data: a refusal, shown only to the person whose press it answers.
      text('node_axn_notice', '提示 notice（私有）', bound('notice'), {
        visible: visibleWhen([notEmpty('notice')]),
      }),
    ],
  },
];

const used = ['Card', 'CardHeaderV2', 'BaseText', 'Loop', 'ButtonBlock'];
const componentsMap = used.map((componentName) => ({
  package: '@ali/dxComponent',
  version: '1.0.0',
  exportName: componentName,
  main: './src/index.tsx',
  destructuring: false,
  subName: '',
  componentName,
}));

const stringVar = (name, description, isPrivate = false) => ({
  name,
  id: name,
  private: isPrivate,
  type: 'string',
  description,
  editorVarType: 'variables',
});

const variableList = [
  stringVar('title', '标题 heading: ✅ 绑定成功, 有效绑定 3 个 …'),
  stringVar('summary', '摘要 extra lines (a bulk bind’s failures), or empty'),
  {
    name: 'bindings',
    id: 'bindings',
    private: false,
    type: 'objectArray',
    description: '绑定 one entry a binding (JSON array text)',
    editorVarType: 'variables',
    schema: [
      { name: 'subsId', type: 'string', description: '绑定ID SubsId' },
      { name: 'heading', type: 'string', description: '138****8000（生效中）' },
      { name: 'detail', type: 'string', description: 'X number and extension, city, expiry, SubsId' },
      { name: 'live', type: 'boolean', description: 'buttons shown' },
    ],
  },
  stringVar('extendLabel', '“延期 1 天” / “Extend +1d”'),
  stringVar('unbindLabel', '“解绑” / “Unbind”'),
  stringVar('unbindConfirm', '“确认解绑？” / “Unbind this number?”'),
  stringVar('cardRef', 'sent back by the buttons: the card’s language, conversation and SubsIds'),
  stringVar('notice', '私有 a refusal, for the presser only', true),
];

const mockData = {
  cardData: {
    title: '✅ 绑定成功',
    summary: '',
    bindings: [
      {
        subsId: '1000000000000000003',
        heading: '138****8000（生效中）',
        detail:
          '隐私号：170 0000 0001　分机号：130\n城市：北京\n有效期至：2026-11-30 12:00（北京时间）\n绑定ID：1000000000000000003',
        live: true,
      },
    ],
    extendLabel: '延期 1 天',
    unbindLabel: '解绑',
    unbindConfirm: '确认解绑？',
    cardRef: '{"v":1,"l":"zh","c":"cidGroup==","s":["1000000000000000003"]}',
  },
  cardPrivateData: { notice: '' },
  localData: {},
};

const editorData = {
  schemaVersion: '2.0.0',
  schema: { version: '1.0.0', componentsMap, componentsTree, i18n: {} },
  mockData,
  editVersion: 0,
  variableList,
  formList: [],
  expList: [],
  localList: [],
  hsfList: [],
  lwpList: [],
};

const file = { editorData: JSON.stringify(editorData), type: 'im', mode: 'card' };
const out = fileURLToPath(new URL('../card-template.json', import.meta.url));
writeFileSync(out, `${JSON.stringify(file, null, 2)}\n`);
console.log(`wrote ${out}`);

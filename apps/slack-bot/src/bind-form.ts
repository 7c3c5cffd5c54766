import { type Locale, type ParseError, phrase } from '@axnbot/chatops';
import type { Block } from './blocks.js';

/** The modal's callback id (its submissions come back under it). */
export const BIND_FORM = 'axn_bind_form';
/** The global shortcut "Bind a number" (manifest `shortcuts[].callback_id`). */
export const BIND_SHORTCUT = 'axn_bind_shortcut';

/** Block ids of the form's inputs: where Slack shows an error returned for a field. */
export const FIELD = {
  phones: 'phones',
  city: 'city',
  cityOther: 'city_other',
  expires: 'expires',
  untilDate: 'until_date',
  untilTime: 'until_time',
  recording: 'recording',
  note: 'note',
} as const;

/** Quick expiry choices, in days. */
const QUICK_DAYS = [1, 2, 7, 30] as const;
/** Slack's limit on a static select's options. */
const MAX_OPTIONS = 100;

/** Where the form was opened from, carried through Slack in `private_metadata`. */
export interface FormOrigin {
  /** The channel the result card is posted in; none from a global shortcut (the card then goes by DM). */
  readonly channelId?: string;
}

const plain = (text: string) => ({ type: 'plain_text', text, emoji: true });
const option = (text: string, value: string) => ({
  text: plain(text.slice(0, 75)),
  value: value.slice(0, 150),
});

/** The bind form as a Slack modal view: numbers, city, expiry, recording and a note. */
export function bindFormView(options: {
  locale: Locale;
  cities: readonly string[];
  maxBulk: number;
  origin: FormOrigin;
}): Record<string, unknown> {
  const { locale } = options;
  const say = (key: Parameters<typeof phrase>[0]) => phrase(key as never, locale);
  const days = (n: number) => (n === 1 ? say('form.oneDay') : phrase('form.days', locale, { days: n }));
  const blocks: Block[] = [
    {
      type: 'input',
      block_id: FIELD.phones,
      label: plain(say('form.phones')),
      hint: plain(phrase('form.phonesHint', locale, { max: options.maxBulk })),
      element: { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: 3000 },
    },
  ];
  const cities = options.cities.slice(0, MAX_OPTIONS - 1);
  if (cities.length > 0)
    blocks.push({
      type: 'input',
      block_id: FIELD.city,
      optional: true,
      label: plain(say('form.city')),
      element: {
        type: 'static_select',
        action_id: 'value',
        placeholder: plain(say('form.cityAny')),
        options: cities.map((city) => option(city, city)),
      },
    });
  blocks.push(
    {
      type: 'input',
      block_id: FIELD.cityOther,
      optional: true,
      label: plain(say(cities.length > 0 ? 'form.cityOther' : 'form.city')),
      element: { type: 'plain_text_input', action_id: 'value', max_length: 20 },
    },
    {
      type: 'input',
      block_id: FIELD.expires,
      optional: true,
      label: plain(say('form.expires')),
      element: {
        type: 'static_select',
        action_id: 'value',
        initial_option: option(days(2), '2d'),
        options: QUICK_DAYS.map((n) => option(days(n), `${n}d`)),
      },
    },
    {
      type: 'input',
      block_id: FIELD.untilDate,
      optional: true,
      label: plain(say('form.until')),
      element: { type: 'datepicker', action_id: 'value', placeholder: plain(say('form.untilDate')) },
    },
    {
      type: 'input',
      block_id: FIELD.untilTime,
      optional: true,
      label: plain(say('form.untilTime')),
      // Beijing time whatever the user's own zone: the expiry is read as Beijing time everywhere.
      element: { type: 'timepicker', action_id: 'value', timezone: 'Asia/Shanghai' },
    },
    {
      type: 'input',
      block_id: FIELD.recording,
      optional: true,
      label: plain(say('form.recording')),
      element: {
        type: 'checkboxes',
        action_id: 'value',
        options: [option(say('form.recording'), 'yes')],
      },
    },
    {
      type: 'input',
      block_id: FIELD.note,
      optional: true,
      label: plain(say('form.note')),
      hint: plain(say('form.noteHint')),
      element: { type: 'plain_text_input', action_id: 'value', max_length: 255 },
    },
  );
  if (!options.origin.channelId)
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: say('form.shortcutDm') }] });
  return {
    type: 'modal',
    callback_id: BIND_FORM,
    title: plain(say('form.title').slice(0, 24)),
    submit: plain(say('form.submit')),
    close: plain(say('form.cancel')),
    private_metadata: JSON.stringify(options.origin),
    blocks,
  };
}

/** The origin a submission carries back (anything unreadable is no origin: the card goes by DM). */
export function formOrigin(privateMetadata: string | undefined): FormOrigin {
  try {
    const parsed = JSON.parse(privateMetadata ?? '{}') as { channelId?: unknown };
    return typeof parsed.channelId === 'string' && /^[CDG][A-Z0-9]+$/.test(parsed.channelId)
      ? { channelId: parsed.channelId }
      : {};
  } catch {
    return {};
  }
}

/** One input's state as Slack submits it. */
interface InputState {
  readonly value?: string | null;
  readonly selected_option?: { value?: string } | null;
  readonly selected_date?: string | null;
  readonly selected_time?: string | null;
  readonly selected_options?: ReadonlyArray<{ value?: string }>;
}

/** What a submission says, field by field, and the `bind` command it stands for. */
export interface FormSubmission {
  /** The command text, as a user would type it (values quoted, so spaces survive). */
  readonly text: string;
  /** Each field's raw text, to find the field a parse error is about. */
  readonly fields: Readonly<Partial<Record<keyof typeof FIELD, string>>>;
  /** Errors found before parsing (a date without a time…), by block id. */
  readonly errors: Readonly<Record<string, string>>;
}

/** Reads a submission's `view.state.values` into a `bind` command. */
export function readSubmission(
  values: Readonly<Record<string, Readonly<Record<string, InputState>>>>,
  locale: Locale,
): FormSubmission {
  const input = (block: string): InputState => values[block]?.value ?? {};
  const quote = (text: string) => `"${text.replace(/["\s]+/g, ' ').trim()}"`;
  const phones = (input(FIELD.phones).value ?? '').trim();
  const city = (input(FIELD.cityOther).value ?? '').trim() || input(FIELD.city).selected_option?.value || '';
  const date = input(FIELD.untilDate).selected_date ?? '';
  const time = input(FIELD.untilTime).selected_time ?? '';
  const quick = input(FIELD.expires).selected_option?.value ?? '';
  const record = (input(FIELD.recording).selected_options ?? []).some((o) => o.value === 'yes');
  const note = (input(FIELD.note).value ?? '').trim();
  const errors: Record<string, string> = {};
  if (Boolean(date) !== Boolean(time))
    errors[date ? FIELD.untilTime : FIELD.untilDate] = phrase('form.untilBoth', locale);
  // A date and time win over the quick choice: they are the more precise answer.
  const expires = date && time ? `${date} ${time}` : /^\d{1,2}d$/.test(quick) ? quick : '';
  const words = ['bind', phones.replace(/\s+/g, ' ')];
  if (city) words.push(`city=${quote(city)}`);
  if (expires) words.push(`expires=${expires}`);
  if (record) words.push('record=yes');
  if (note) words.push(`out=${quote(note)}`);
  return {
    text: words.join(' '),
    fields: { phones, city, expires, note },
    errors,
  };
}

/**
 * Which field a parse error is about: the one whose text holds the token at fault (a phone number, a
 * city, the expiry, the note); the numbers field otherwise. Answers Slack's `errors` map.
 */
export function fieldErrors(error: ParseError, submission: FormSubmission): Record<string, string> {
  const message = error.suggestion ? `${error.message} ${error.suggestion}` : error.message;
  const token = (error.token ?? '').replace(/^[^=]*=/, '').replace(/"/g, '');
  const { fields } = submission;
  let block: string = FIELD.phones;
  if (token && fields.expires?.includes(token))
    block = fields.expires.includes(':') ? FIELD.untilDate : FIELD.expires;
  else if (token && fields.note?.includes(token)) block = FIELD.note;
  else if (token && fields.city?.includes(token)) block = FIELD.cityOther;
  else if (/expir|有效期/i.test(error.token ?? '')) block = FIELD.expires;
  else if (/^(out|业务号)/i.test(error.token ?? '')) block = FIELD.note;
  return { [block]: message.slice(0, 150) };
}

/**
 * The delivery key of a submission: the view's id. A form is closed by the submission that binds, so a
 * second submission of the same view is a double press or Slack's retry, and binds nothing more; a
 * submission refused with field errors claimed nothing, so its corrected resubmission still binds. (No
 * digest of the submitted numbers: the ledger keeps no clear or cheaply reversible form of them.)
 */
export function submissionKey(teamId: string, viewId: string): string {
  return `${teamId}:view:${viewId}`;
}

import { type ParseError, parseCommand } from '@axnbot/chatops';
import { beijingToEpoch } from '@axnbot/core';
import { describe, expect, it } from 'vitest';
import {
  bindFormView,
  FIELD,
  fieldErrors,
  formOrigin,
  readSubmission,
  submissionKey,
} from '../src/bind-form.js';

const NOW = beijingToEpoch(2026, 11, 28, 12, 0, 0);
const context = {
  now: NOW,
  locale: 'en' as const,
  defaultExpiresMs: 86_400_000,
  maxExpiresMs: 90 * 86_400_000,
  maxBulk: 20,
};

describe('the bind form', () => {
  it('stays within Slack’s modal limits, in both languages, with up to 100 cities', () => {
    const cities = Array.from({ length: 150 }, (_, i) => `城市${i}`);
    for (const locale of ['en', 'zh'] as const) {
      const view = bindFormView({ locale, cities, maxBulk: 20, origin: { channelId: 'C1' } }) as Record<
        string,
        any
      >;
      expect(view.title.text.length).toBeLessThanOrEqual(24);
      expect(view.submit.text.length).toBeLessThanOrEqual(24);
      expect(view.blocks.length).toBeLessThanOrEqual(100);
      expect(view.private_metadata.length).toBeLessThanOrEqual(3000);
      const city = view.blocks.find((block: Record<string, any>) => block.block_id === FIELD.city);
      expect(city.element.options.length).toBeLessThanOrEqual(100);
      for (const block of view.blocks) {
        if (block.label) expect(block.label.text.length).toBeLessThanOrEqual(2000);
        if (block.block_id) expect(block.block_id.length).toBeLessThanOrEqual(255);
      }
    }
  });

  it('looks the same as last time (snapshot), and names no city when it knows none', () => {
    expect(
      bindFormView({ locale: 'en', cities: ['北京', '上海'], maxBulk: 20, origin: { channelId: 'C1' } }),
    ).toMatchSnapshot();
    const bare = bindFormView({ locale: 'zh', cities: [], maxBulk: 20, origin: {} }) as Record<string, any>;
    expect(bare.blocks.map((block: Record<string, any>) => block.block_id ?? block.type)).toEqual([
      'phones',
      'city_other',
      'expires',
      'until_date',
      'until_time',
      'recording',
      'note',
      'context',
    ]);
  });

  it('reads a submission into the bind command a user would type, which parses to the same choices', () => {
    const submission = readSubmission(
      {
        phones: { value: { value: '13800138000\n139 0013 9000' } },
        city: { value: { selected_option: { value: '北京' } } },
        city_other: { value: { value: '' } },
        expires: { value: { selected_option: { value: '7d' } } },
        until_date: { value: { selected_date: '2026-12-01' } },
        until_time: { value: { selected_time: '18:00' } },
        recording: { value: { selected_options: [{ value: 'yes' }] } },
        note: { value: { value: 'order "42"' } },
      },
      'en',
    );
    expect(submission.errors).toEqual({});
    expect(submission.text).toBe(
      'bind 13800138000 139 0013 9000 city="北京" expires=2026-12-01 18:00 record=yes out="order 42"',
    );
    const command = parseCommand(submission.text, context);
    expect(command).toMatchObject({
      verb: 'bind',
      phones: ['13800138000', '13900139000'],
      options: {
        city: '北京',
        record: true,
        outId: 'order 42',
        expiresAt: beijingToEpoch(2026, 12, 1, 18, 0, 0),
      },
    });
  });

  it('puts each problem on its field', () => {
    const read = (values: Record<string, unknown>) =>
      readSubmission(
        Object.fromEntries(
          Object.entries(values).map(([block, input]) => [block, { value: input }]),
        ) as never,
        'en',
      );
    const problem = (values: Record<string, unknown>) => {
      const submission = read(values);
      const parsed = parseCommand(submission.text, context);
      expect(parsed).toHaveProperty('kind', 'parse-error');
      return Object.keys(fieldErrors(parsed as ParseError, submission));
    };
    expect(problem({ phones: { value: '12345' } })).toEqual([FIELD.phones]);
    expect(problem({ phones: { value: '' } })).toEqual([FIELD.phones]);
    expect(
      problem({
        phones: { value: '13800138000' },
        until_date: { selected_date: '2026-11-27' },
        until_time: { selected_time: '08:00' },
      }),
    ).toEqual([FIELD.untilDate]);
    expect(problem({ phones: { value: '13800138000' }, note: { value: 'x'.repeat(300) } })).toEqual([
      FIELD.note,
    ]);
    expect(read({ phones: { value: '13800138000' }, until_time: { selected_time: '08:00' } }).errors).toEqual(
      {
        [FIELD.untilDate]: 'Pick both a date and a time, or neither.',
      },
    );
  });

  it('trusts nothing in private_metadata but a channel id, and keys a submission by its view', () => {
    expect(formOrigin('{"channelId":"C0123ABC"}')).toEqual({ channelId: 'C0123ABC' });
    for (const odd of ['', 'null', '{"channelId":"<!channel>"}', '{"channelId":42}', 'not json'])
      expect(formOrigin(odd)).toEqual({});
    expect(submissionKey('T1', 'V123')).toBe('T1:view:V123');
  });
});

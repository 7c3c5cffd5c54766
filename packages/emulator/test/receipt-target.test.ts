import { describe, expect, it } from 'vitest';
import { receiptTarget } from '../src/receipt-target.js';

describe('receiptTarget', () => {
  it('puts the message type wherever {type} stands, in the path or the query', () => {
    const target = receiptTarget('http://127.0.0.1:3000/aliyun/receipts/{type}?token=abc&kind={type}');
    expect(target.perType).toBe(true);
    expect(target.urlFor('SecretRingReport')).toBe(
      'http://127.0.0.1:3000/aliyun/receipts/SecretRingReport?token=abc&kind=SecretRingReport',
    );
    expect(target.carries('SecretRecording')).toBe(true);
  });

  it('reads a percent-encoded placeholder too', () => {
    expect(receiptTarget('https://h/r/%7btype%7D').urlFor('SecretReport')).toBe('https://h/r/SecretReport');
  });

  it('groups a call’s receipts into one POST per type with a placeholder, one per call without', () => {
    const receipts = [
      { id: 1, type: 'SecretStartReport' as const },
      { id: 2, type: 'SecretReport' as const },
    ];
    expect(receiptTarget('http://h/{type}').batches(receipts)).toEqual([[receipts[0]], [receipts[1]]]);
    const single = receiptTarget('http://h/receipts');
    expect(single.perType).toBe(false);
    expect(single.urlFor('SecretReport')).toBe('http://h/receipts');
    expect(single.batches(receipts)).toEqual([receipts]);
    expect(single.batches([])).toEqual([]);
    // A record names no type: one URL keeps getting only the two types it always got.
    expect(
      [
        'SecretStartReport',
        'SecretRingReport',
        'SecretPickUpReport',
        'SecretReport',
        'SecretRecording',
      ].filter((type) => single.carries(type as never)),
    ).toEqual(['SecretStartReport', 'SecretReport']);
  });

  it('refuses anything but an http(s) URL, without repeating it (it may hold a token)', () => {
    for (const url of ['ftp://h/{type}', '/relative/{type}', 'http//typo', ''])
      expect(() => receiptTarget(url)).toThrow(new TypeError('the receipt URL must be an http(s) URL'));
  });
});

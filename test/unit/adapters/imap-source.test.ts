// The UID sets the IMAP adapter sends: runs collapsed to ranges so a backlog of tens of thousands of UIDs
// stays far below the server's command-line limit (Dovecot: 64 KiB), order and duplicates irrelevant.

import { describe, expect, it } from 'vitest';
import { uidSet } from '../../../src/adapters/imap-source.js';

describe('uidSet', () => {
  it.each([
    [[], ''],
    [[7], '7'],
    [[1, 2, 3], '1:3'],
    [[5, 1, 2, 3, 9, 10, 3], '1:3,5,9:10'],
    [[4, 6, 8], '4,6,8'],
  ])('%j → %s', (uids, expected) => {
    expect(uidSet(uids)).toBe(expected);
  });

  it('keeps 50 000 UIDs with a few gaps short', () => {
    const uids = Array.from({ length: 50_000 }, (_, i) => i + 1).filter((u) => u % 10_000 !== 0);
    expect(uidSet(uids)).toBe('1:9999,10001:19999,20001:29999,30001:39999,40001:49999');
  });
});

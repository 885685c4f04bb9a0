import { describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import { detectLogMode, isJournalStream } from '../src/index.js';

// Whatever fd 1 is under jest (pipe, file or tty), its own dev:ino is the "matching" value.
const st = fs.fstatSync(1, { bigint: true });
const matching = `${st.dev}:${st.ino}`;
const otherInode = `${st.dev}:${st.ino + 1n}`;

describe('detectLogMode', () => {
  it('picks journal when JOURNAL_STREAM matches stdout', () => {
    expect(detectLogMode({ JOURNAL_STREAM: matching }, { fd: 1, isTTY: false })).toBe('journal');
    expect(detectLogMode({ JOURNAL_STREAM: matching }, { fd: 1, isTTY: true })).toBe('journal');
  });

  it('ignores an inherited JOURNAL_STREAM that names another file', () => {
    expect(detectLogMode({ JOURNAL_STREAM: otherInode }, { fd: 1, isTTY: false })).toBe('json');
    expect(detectLogMode({ JOURNAL_STREAM: otherInode }, { fd: 1, isTTY: true })).toBe('pretty');
  });

  it('falls back on malformed values and streams without an fd', () => {
    expect(detectLogMode({ JOURNAL_STREAM: 'garbage' }, { fd: 1 })).toBe('json');
    expect(detectLogMode({ JOURNAL_STREAM: matching }, {})).toBe('json');
    expect(detectLogMode({}, { fd: 1, isTTY: true })).toBe('pretty');
    expect(isJournalStream(matching, 987654)).toBe(false); // closed fd
  });
});

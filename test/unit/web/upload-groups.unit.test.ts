// Files picked together: which go in one request (one message) and which resumably on their own.
import { describe, expect, it } from 'vitest';
import { groupForSending } from '../../../web/ui/upload.js';

const MiB = 1024 * 1024;
const file = (name: string, size: number) => new File([new Uint8Array(size)], name);
const names = (r: ReturnType<typeof groupForSending>) => ({
  together: r.together.map((g) => g.map((f) => f.name)),
  alone: r.alone.map((f) => f.name),
});

describe('groupForSending', () => {
  it('sends several small files together and a lone file resumably', () => {
    expect(names(groupForSending([file('a', 10), file('b', 20), file('c', 30)]))).toEqual({
      together: [['a', 'b', 'c']],
      alone: [],
    });
    expect(names(groupForSending([file('a', 10)]))).toEqual({ together: [], alone: ['a'] });
  });

  it('sends a file over 8 MiB on its own, and a small one left without company too', () => {
    expect(names(groupForSending([file('big', 9 * MiB), file('a', 10), file('b', 10)]))).toEqual({
      together: [['a', 'b']],
      alone: ['big'],
    });
    expect(names(groupForSending([file('big', 9 * MiB), file('a', 10)]))).toEqual({
      together: [],
      alone: ['big', 'a'],
    });
  });

  it('keeps a group within 10 files (the server’s limit per message) and 25 MiB', () => {
    const twelve = Array.from({ length: 12 }, (_, i) => file(`f${i}`, 10));
    expect(names(groupForSending(twelve)).together.map((g) => g.length)).toEqual([10, 2]);
    const four = Array.from({ length: 4 }, (_, i) => file(`m${i}`, 7 * MiB));
    expect(names(groupForSending(four))).toEqual({ together: [['m0', 'm1', 'm2']], alone: ['m3'] });
  });
});

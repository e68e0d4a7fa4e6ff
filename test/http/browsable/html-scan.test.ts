import { describe, expect, it } from 'vitest';
import { eventHandlerTags, scanTags } from './html-scan.js';

describe('the test HTML scanner', () => {
  it('finds event handlers with quoted, single-quoted and unquoted values', () => {
    const html = `<img src=x onerror=alert(1)><svg onload='a()'></svg><a href="/" onclick="b()">x</a><p class="ok">`;
    expect(eventHandlerTags(html).map((tag) => tag.name)).toEqual(['img', 'svg', 'a']);
  });

  it('ignores escaped markup inside attribute values and text', () => {
    const html = '<a href="/x?q=&quot;&gt;&lt;img src=x onerror=alert(1)&gt;">&lt;img onerror=x&gt;</a>';
    expect(eventHandlerTags(html)).toEqual([]);
    expect(scanTags(html)).toEqual([
      { name: 'a', attributes: { href: '/x?q=&quot;&gt;&lt;img src=x onerror=alert(1)&gt;' } },
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { renderBrowsablePage, renderErrorPage } from '../../../src/http/browsable/render.js';
import { responseBlock } from '../../../src/http/browsable/response-view.js';
import { pageModel } from './model.js';

// The page's own markup is pure ASCII (glyphs as character references), so a page of ASCII data stays a
// one-byte string that Node writes to the socket without a UTF-8 conversion: that cost the browsable page
// about 3 µs per request (bench/notes.md, issue 16). Data outside ASCII is still written as it is.
/** The characters of `text` outside ASCII (none for a one-byte ASCII page). */
const nonAscii = (text: string): string[] => [...text].filter((char) => char.charCodeAt(0) > 0x7f);

describe('the browsable page stays one-byte for ASCII data', () => {
  it('a resource page with every control, a format menu and a generated form', () => {
    const html = renderBrowsablePage(
      pageModel({
        allowedMethods: ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'],
        description: '# Notes\n\n* one\n* two',
        bodyForms: [
          {
            methods: ['POST', 'PUT'],
            schema: { type: 'object', properties: { kind: { enum: ['a', 'b'] }, title: { type: 'string' } } },
          },
        ],
      }),
    );
    expect(html).toContain('&#9662;');
    expect(html).toContain('&mdash;');
    expect(html).toContain('&middot;');
    expect(nonAscii(html)).toEqual([]);
  });

  it('a truncated response body and an error page', () => {
    const block = responseBlock(200, 'OK', {}, { long: 'x'.repeat(200) }, 50);
    expect(block).toContain('&hellip; truncated');
    expect(nonAscii(block)).toEqual([]);
    const error = renderErrorPage({
      serviceName: 'notes',
      status: 404,
      statusText: 'Not Found',
      method: 'GET',
      fullPath: '/missing/',
      message: 'The requested URL was not found on the server.',
    });
    expect(nonAscii(error)).toEqual([]);
  });

  it('data outside ASCII is shown as it is', () => {
    const html = renderBrowsablePage(pageModel({ body: { response: 'grüße ✓' } }));
    expect(html).toContain('grüße ✓');
  });
});

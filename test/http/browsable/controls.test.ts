import { describe, expect, it } from 'vitest';
import { renderBrowsablePage } from '../../../src/http/browsable/render.js';
import { scanTags } from './html-scan.js';
import { pageModel } from './model.js';

function page(allowedMethods: string[], fullPath = '/second/one/2/'): string {
  return renderBrowsablePage(pageModel({ allowedMethods, fullPath }));
}

function hiddenMethods(html: string): string[] {
  return scanTags(html)
    .filter((tag) => tag.name === 'input' && tag.attributes.name === '_method')
    .map((tag) => tag.attributes.value ?? '');
}

function contentButtons(html: string): string[] {
  const form = /<form class="content-form".*?<\/form>/s.exec(html)?.[0] ?? '';
  return [...form.matchAll(/<button[^>]*>([^<]*)<\/button>/g)].map((match) => match[1] ?? '');
}

describe('controls per allowed method (checklist 45, 46)', () => {
  it('shows a GET button that reloads the resource (no ?format) and a format menu', () => {
    const html = page(['GET', 'HEAD', 'OPTIONS'], '/second/?a=1&format=html');
    expect(html).toContain(
      '<a class="btn primary" href="/second/?a=1" title="Make a GET request on this resource">GET</a>',
    );
    expect(html).toContain('href="/second/?a=1&amp;format=json"');
    expect(html).toContain('href="/second/?a=1&amp;format=html"');
  });

  it('offers the formats the model lists', () => {
    const html = renderBrowsablePage(pageModel({ allowedFormats: ['json'] }));
    expect(html).toContain('?format=json"');
    expect(html).not.toContain('?format=html"');
  });

  it('hides GET, DELETE and the content form when the methods are not allowed', () => {
    const html = page(['OPTIONS']);
    expect(html).not.toContain('>GET</a>');
    expect(hiddenMethods(html)).toEqual(['OPTIONS']);
    expect(html).not.toContain('content-form');
  });

  it('has a DELETE form posting _method=DELETE to the page path', () => {
    const html = page(['GET', 'DELETE']);
    expect(hiddenMethods(html)).toEqual(['DELETE']);
    expect(html).toContain('<form class="inline-form" action="/second/one/2/" method="post">');
  });

  it('has an OPTIONS form when OPTIONS is allowed', () => {
    expect(hiddenMethods(page(['GET', 'HEAD', 'OPTIONS']))).toEqual(['OPTIONS']);
  });

  it.each([
    [['GET', 'POST'], ['POST']],
    [['PUT'], ['PUT']],
    [['PATCH', 'DELETE'], ['PATCH']],
    [
      ['POST', 'PUT', 'PATCH'],
      ['POST', 'PUT', 'PATCH'],
    ],
  ])('with %j the content form has buttons %j', (allowed, buttons) => {
    expect(contentButtons(page(allowed))).toEqual(buttons);
  });

  it('posts the content form as multipart with the three media types, JSON selected', () => {
    const html = page(['POST', 'PUT']);
    expect(html).toContain('method="post" enctype="multipart/form-data"');
    const options = [...html.matchAll(/<option value="([^"]+)"( selected)?>/g)].map((m) => `${m[1]}${m[2] ?? ''}`);
    expect(options).toEqual([
      'application/json selected',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=microservices-form',
    ]);
    expect(html).toContain('>multipart/form-data</option>');
    expect(html).toContain('name="_content_type"');
    expect(html).toContain('<textarea id="content-body" name="_content"');
    expect(html).toContain('name="_method" value="PUT"');
  });

  it('keeps form actions and the GET link on this origin for a //host request target', () => {
    const html = page(['GET', 'POST', 'DELETE'], '//evil.test/x');
    const targets = scanTags(html)
      .flatMap((tag) => [tag.attributes.action, tag.attributes.href])
      .filter((value): value is string => value !== undefined);
    expect(targets.length).toBeGreaterThan(3);
    for (const target of targets) expect(target).toMatch(/^\/(?![/\\])|^\?/);
  });

  it('lists the allowed methods', () => {
    expect(page(['GET', 'HEAD', 'OPTIONS', 'POST'])).toContain(
      '<code class="chip">GET</code> <code class="chip">HEAD</code> <code class="chip">OPTIONS</code> <code class="chip">POST</code>',
    );
  });
});

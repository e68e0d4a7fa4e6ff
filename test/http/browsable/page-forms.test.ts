/**
 * The generated form through the service (inject): shown on the page of a route with a body schema, the media
 * type select limited to the route's types, a submission decoded into the JSON body (201), and after a 400 the
 * typed values back in the form with the issues beside their fields. Programs get the same JSON as before.
 */
import { describe, expect, it } from 'vitest';
import { fieldName } from '../../../src/http/browsable/form-names.js';
import { notesFormService } from '../../browser/notes-form-service.js';

const HTML = { accept: 'text/html' };
const ORIGIN = 'http://localhost:80';

function form(fields: Record<string, string>): string {
  return new URLSearchParams({ _form: 'fields', ...fields }).toString();
}

async function submit(fields: Record<string, string>) {
  const app = notesFormService();
  const response = await app.inject({
    method: 'POST',
    url: '/notes/',
    headers: { ...HTML, 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN, host: 'localhost:80' },
    payload: form(fields),
  });
  return response;
}

const VALID = {
  [fieldName(['title'], 'string')]: 'Buy milk',
  [fieldName(['priority'], 'number')]: '2',
  [fieldName(['kind'], 'json')]: '"task"',
  [fieldName(['done'], 'boolean')]: 'false',
  [fieldName(['tags', 0], 'string')]: 'home',
  [fieldName(['tags', 1], 'string')]: '',
  [fieldName(['author', 'name'], 'string')]: 'Ada',
};

describe('the generated form on the page', () => {
  it('is shown for a route with a body schema, next to the raw content tab', async () => {
    const page = (await notesFormService().inject({ url: '/notes/', headers: HTML })).body;
    expect(page).toContain('<form class="fields-form" action="/notes/" method="post">');
    expect(page).toContain('id="panel-raw"');
    expect(page).toContain(`name="${fieldName(['title'], 'string').replaceAll('"', '&quot;')}"`);
  });

  it('offers only the media types the route accepts', async () => {
    const page = (await notesFormService().inject({ url: '/notes/', headers: HTML })).body;
    const select = /<select id="content-type"[^>]*>(.*?)<\/select>/s.exec(page)?.[1] ?? '';
    expect(select).toBe('<option value="application/json" selected>application/json</option>');
  });

  it('a valid submission becomes the JSON body: 201 with the note', async () => {
    const response = await submit(VALID);
    expect(response.statusCode).toBe(201);
    const shown = response.body.slice(response.body.indexOf('<pre class="response"'));
    expect(shown).toContain('HTTP 201 Created');
    expect(shown).toContain('&quot;Buy milk&quot;');
    expect(shown).toContain('&quot;home&quot;');
  });

  it('after a 400 the form keeps what was typed and shows the issues beside the fields', async () => {
    const response = await submit({
      ...VALID,
      [fieldName(['title'], 'string')]: 'no',
      [fieldName(['priority'], 'number')]: '9',
    });
    expect(response.statusCode).toBe(400);
    const page = response.body;
    expect(page).toMatch(/value="no" required minlength="3" maxlength="80"/);
    expect(page).toContain('value="9"');
    expect(page).toContain('value="home"');
    expect(page).toContain('<option value="&quot;task&quot;" selected>task</option>');
    expect((page.match(/<p class="field-error"/g) ?? []).length).toBe(2);
    expect(page).toContain('data-active="fields"');
  });

  it('after a 400 from the raw tab, the raw text and media type are kept and that tab is selected', async () => {
    const app = notesFormService();
    const response = await app.inject({
      method: 'POST',
      url: '/notes/',
      headers: { ...HTML, 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN, host: 'localhost:80' },
      payload: new URLSearchParams({ _content_type: 'application/json', _content: '{"title": <broken' }).toString(),
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('{&quot;title&quot;: &lt;broken</textarea>');
    expect(response.body).toContain('data-active="raw"');
  });

  it('programs still get the plain JSON body and the 400 issues', async () => {
    const app = notesFormService();
    const bad = await app.inject({ method: 'POST', url: '/notes/', payload: { title: 'x' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'MS_VALIDATION_FAILED', issues: expect.any(Array) });
    const good = await app.inject({
      method: 'POST',
      url: '/notes/',
      payload: { title: 'Buy milk', priority: 1, kind: 'idea', done: true, tags: [], author: { name: 'Ada' } },
    });
    expect(good.statusCode).toBe(201);
    expect(Object.keys(good.json()).sort()).toEqual(['author', 'done', 'id', 'kind', 'priority', 'tags', 'title']);
  });

  it('lists the related resources as links in their own block', async () => {
    const page = (await notesFormService().inject({ url: '/notes/', headers: HTML })).body;
    expect(page).toMatch(/<nav class="card related"[^>]*>.*<code>\/notes\/&lt;int:id&gt;\/<\/code>/s);
  });
});

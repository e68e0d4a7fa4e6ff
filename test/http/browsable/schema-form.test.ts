/**
 * The generated body form as a pure function of a JSON Schema (zod 4's output and hand-written schemas): which
 * control each field gets, the validation attributes, values and issues shown again, escaping and the bounds;
 * and the decoding of a submitted form back into the JSON body.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { JsonSchema } from '../../../src/contracts/json-schema.js';
import { planForm } from '../../../src/http/browsable/form-fields.js';
import { decodeFields, fieldName } from '../../../src/http/browsable/form-names.js';
import { renderSchemaForm } from '../../../src/http/browsable/schema-form.js';
import { eventHandlerTags, type ScannedTag, scanTags } from './html-scan.js';

const Note = z.object({
  title: z.string().min(1).max(80).describe('What the note is about'),
  count: z.number().int().min(0).max(10).optional(),
  done: z.boolean(),
  kind: z.enum(['idea', 'task']),
  due: z.iso.date().optional(),
  at: z.iso.datetime().optional(),
  email: z.email().optional(),
  tags: z.array(z.string().max(20)).max(5),
  code: z.string().regex(/^[A-Z]{3}$/),
  address: z.object({ city: z.string(), zip: z.string().optional() }).optional(),
  extra: z.record(z.string(), z.number()).optional(),
});
const NOTE_SCHEMA = Note['~standard'].jsonSchema.input({ target: 'draft-2020-12' }) as JsonSchema;

function unescapeHtml(text: string): string {
  return text
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

function render(schema: JsonSchema, extra: Partial<Parameters<typeof renderSchemaForm>[1]> = {}): string {
  const rendered = renderSchemaForm(schema, { action: '/notes/', methods: ['POST'], idPrefix: 't', ...extra });
  if (!rendered.ok) throw new Error(rendered.reason);
  return rendered.html;
}

/** The control tag named `name` (input, select or textarea), attributes unescaped. */
function controlNamed(html: string, name: string): ScannedTag | undefined {
  return scanTags(html)
    .filter((tag) => ['input', 'select', 'textarea'].includes(tag.name) && tag.attributes.type !== 'hidden')
    .map((tag) => ({
      name: tag.name,
      attributes: Object.fromEntries(Object.entries(tag.attributes).map(([k, v]) => [k, unescapeHtml(v)])),
    }))
    .find((tag) => tag.attributes.name === name);
}

function labelFor(html: string, id: string): string | undefined {
  const match = new RegExp(`<label for="${id}">(.*?)</label>`).exec(html);
  return match?.[1]?.replace(/<[^>]+>/g, '').trim();
}

describe('generated form from a zod 4 JSON Schema', () => {
  const html = render(NOTE_SCHEMA);

  it('gives every field one labelled control of the right kind', () => {
    const expected: [string[], string, string, string][] = [
      [['title'], 'string', 'input', 'text'],
      [['count'], 'number', 'input', 'number'],
      [['done'], 'boolean', 'input', 'checkbox'],
      [['kind'], 'json', 'select', ''],
      [['due'], 'string', 'input', 'date'],
      [['at'], 'datetime', 'input', 'datetime-local'],
      [['email'], 'string', 'input', 'email'],
      [['code'], 'string', 'input', 'text'],
      [['address', 'city'], 'string', 'input', 'text'],
      [['extra'], 'json', 'textarea', ''],
    ];
    for (const [path, coding, tag, type] of expected) {
      const control = controlNamed(html, fieldName(path, coding as 'string'));
      expect(control?.name, path.join('.')).toBe(tag);
      if (type !== '') expect(control?.attributes.type, path.join('.')).toBe(type);
      expect(labelFor(html, control?.attributes.id ?? '?'), path.join('.')).toBeTruthy();
    }
    expect(labelFor(html, controlNamed(html, fieldName(['title'], 'string'))?.attributes.id ?? '')).toBe('title *');
    expect(html).toContain('<legend>address</legend>');
    expect(html).toMatch(/<fieldset class="field array"[^>]*><legend>tags <span class="req"/);
    expect(html).toContain('<option value="&quot;idea&quot;">idea</option>');
  });

  it('turns the schema keywords into HTML validation attributes', () => {
    expect(controlNamed(html, fieldName(['title'], 'string'))?.attributes).toMatchObject({
      required: '',
      minlength: '1',
      maxlength: '80',
    });
    expect(controlNamed(html, fieldName(['count'], 'number'))?.attributes).toMatchObject({
      min: '0',
      max: '10',
      step: '1',
    });
    expect(controlNamed(html, fieldName(['count'], 'number'))?.attributes.required).toBeUndefined();
    const code = controlNamed(html, fieldName(['code'], 'string'))?.attributes.pattern ?? '';
    // The HTML pattern must match the whole value, as the browser anchors it.
    const anchored = new RegExp(`^(?:${code})$`, 'v');
    expect(anchored.test('ABC')).toBe(true);
    expect(anchored.test('AB')).toBe(false);
    expect(controlNamed(html, fieldName(['tags', 0], 'string'))?.attributes).toMatchObject({ maxlength: '20' });
    expect(controlNamed(html, fieldName(['kind'], 'json'))?.attributes.required).toBe('');
    expect(controlNamed(html, fieldName(['address', 'city'], 'string'))?.attributes.required).toBe('');
  });

  it('shows descriptions as help text tied to the control', () => {
    const title = controlNamed(html, fieldName(['title'], 'string'));
    expect(title?.attributes['aria-describedby']).toBe(`${title?.attributes.id}-help`);
    expect(html).toContain('What the note is about');
  });

  it('posts as a plain form with the fields marker and a button per method', () => {
    const twoMethods = render(NOTE_SCHEMA, { methods: ['PUT', 'PATCH'] });
    expect(twoMethods).toContain('<form class="fields-form" action="/notes/" method="post">');
    expect(twoMethods).toContain('<input type="hidden" name="_form" value="fields">');
    expect(twoMethods).toMatch(/<button type="submit" class="btn primary" name="_method" value="PUT"/);
    expect(twoMethods).toMatch(/<button type="submit" class="btn primary" name="_method" value="PATCH"/);
  });
});

describe('values typed before and issues after a 400', () => {
  const values = {
    _form: 'fields',
    [fieldName(['title'], 'string')]: 'x"><script>alert(1)</script>',
    [fieldName(['count'], 'number')]: 'twelve',
    [fieldName(['done'], 'boolean')]: 'true',
    [fieldName(['kind'], 'json')]: '"task"',
    [fieldName(['tags', 0], 'string')]: 'a',
    [fieldName(['tags', 1], 'string')]: 'b',
    [fieldName(['extra'], 'json')]: '{"n": </textarea>',
  };
  const issues = [
    { path: 'body.count', message: 'Expected number, received string' },
    { path: 'body.tags.1', message: 'Too long' },
    { path: 'body.address.city', message: 'Required <b>' },
    { path: 'body.unknown', message: 'Unrecognized key' },
  ];
  const html = render(NOTE_SCHEMA, { values, issues });

  it('puts every typed value back, escaped', () => {
    expect(controlNamed(html, fieldName(['title'], 'string'))?.attributes.value).toBe('x"><script>alert(1)</script>');
    expect(controlNamed(html, fieldName(['count'], 'number'))?.attributes.value).toBe('twelve');
    expect(controlNamed(html, fieldName(['done'], 'boolean'))?.attributes.checked).toBe('');
    expect(html).toContain('<option value="&quot;task&quot;" selected>task</option>');
    expect(controlNamed(html, fieldName(['tags', 1], 'string'))?.attributes.value).toBe('b');
    // Two typed rows and one blank row to add a third without JavaScript.
    expect(controlNamed(html, fieldName(['tags', 2], 'string'))?.attributes.value).toBeUndefined();
    expect(html).toContain('{&quot;n&quot;: &lt;/textarea&gt;</textarea>');
    expect(html).not.toContain('<script>');
    expect(eventHandlerTags(html)).toEqual([]);
  });

  it('shows each issue next to its field and the rest above the form', () => {
    const count = controlNamed(html, fieldName(['count'], 'number'));
    expect(count?.attributes['aria-invalid']).toBe('true');
    const errorId = count?.attributes['aria-describedby']?.split(' ').find((id) => id.endsWith('-err'));
    expect(html).toContain(`<p class="field-error" id="${errorId}">Expected number, received string</p>`);
    expect(controlNamed(html, fieldName(['tags', 1], 'string'))?.attributes['aria-invalid']).toBe('true');
    expect(html).toContain('Required &lt;b&gt;');
    expect(html).toMatch(
      /<ul class="form-issues" role="alert"><li><code>body.unknown<\/code> Unrecognized key<\/li><\/ul>/,
    );
  });
});

describe('shapes and bounds', () => {
  it('follows local $refs, drops null alternatives and makes selects of const unions', () => {
    const schema: JsonSchema = {
      $defs: { Size: { anyOf: [{ const: 's' }, { const: 'm' }] }, Name: { type: 'string', maxLength: 3 } },
      type: 'object',
      properties: {
        size: { $ref: '#/$defs/Size' },
        name: { anyOf: [{ $ref: '#/$defs/Name' }, { type: 'null' }] },
        alias: { type: ['string', 'null'] },
      },
    };
    const html = render(schema);
    expect(controlNamed(html, fieldName(['size'], 'json'))?.name).toBe('select');
    expect(controlNamed(html, fieldName(['name'], 'string'))?.attributes.maxlength).toBe('3');
    expect(controlNamed(html, fieldName(['alias'], 'string'))?.attributes.type).toBe('text');
  });

  it('a recursive schema stops at the depth bound with a JSON field', () => {
    const schema: JsonSchema = {
      $defs: { Node: { type: 'object', properties: { label: { type: 'string' }, child: { $ref: '#/$defs/Node' } } } },
      $ref: '#/$defs/Node',
    };
    const plan = planForm(schema, { maxDepth: 3 });
    expect(plan.ok).toBe(true);
    const html = render(schema, { maxDepth: 3 });
    expect(controlNamed(html, fieldName(['child', 'child', 'label'], 'string'))).toBeDefined();
    expect(controlNamed(html, fieldName(['child', 'child', 'child'], 'json'))?.name).toBe('textarea');
  });

  it('refuses a schema with more fields than the bound, so the raw tab is used', () => {
    const properties = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`f${i}`, { type: 'string' }]));
    const rendered = renderSchemaForm(
      { type: 'object', properties },
      { action: '/', methods: ['POST'], idPrefix: 'x' },
    );
    expect(rendered).toEqual({ ok: false, reason: 'The body schema has more than 200 fields.' });
  });

  it('escapes keys, titles, descriptions and enum labels from the schema', () => {
    const evil = '"><img src=x onerror=alert(1)>';
    const html = render({
      type: 'object',
      properties: { [evil]: { type: 'string', title: evil, description: evil }, e: { enum: [evil] } },
    });
    expect(html).not.toContain('<img');
    expect(eventHandlerTags(html)).toEqual([]);
    expect(controlNamed(html, fieldName([evil], 'string'))).toBeDefined();
  });

  it('gives a primitive body one control and an unknown body a JSON field', () => {
    expect(controlNamed(render({ type: 'integer' }), fieldName([], 'number'))?.attributes.step).toBe('1');
    expect(controlNamed(render({}), fieldName([], 'json'))?.name).toBe('textarea');
  });
});

describe('decoding a submitted generated form', () => {
  it('builds the JSON body: types from the names, blanks left out, rows compacted', () => {
    expect(
      decodeFields({
        _form: 'fields',
        [fieldName(['title'], 'string')]: 'Hello',
        [fieldName(['count'], 'number')]: '3',
        [fieldName(['done'], 'boolean')]: 'false',
        [fieldName(['kind'], 'json')]: '"task"',
        [fieldName(['at'], 'datetime')]: '2026-12-01T10:30',
        [fieldName(['tags', 0], 'string')]: '',
        [fieldName(['tags', 1], 'string')]: 'b',
        [fieldName(['address', 'city'], 'string')]: 'Oslo',
        [fieldName(['address', 'zip'], 'string')]: '',
        [fieldName(['due'], 'string')]: '',
      }),
    ).toEqual({
      title: 'Hello',
      count: 3,
      done: false,
      kind: 'task',
      at: '2026-12-01T10:30:00Z',
      tags: ['b'],
      address: { city: 'Oslo' },
    });
  });

  it('keeps text that does not parse, for the validator to report and the page to show', () => {
    expect(decodeFields({ [fieldName(['n'], 'number')]: 'twelve', [fieldName(['j'], 'json')]: '{' })).toEqual({
      n: 'twelve',
      j: '{',
    });
  });

  it('ignores malformed names and never writes a prototype', () => {
    const body = decodeFields({
      '_f:s:["a"': 'x',
      '_f:q:["a"]': 'x',
      '_f:s:[{"a":1}]': 'x',
      [fieldName(['__proto__', 'polluted'], 'string')]: 'yes',
      [fieldName(['deep', 5000], 'string')]: 'too far',
    }) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(body)).toBe(Object.prototype);
  });

  it('decodes a body that is one value or an array of values', () => {
    expect(decodeFields({ [fieldName([], 'number')]: '7' })).toBe(7);
    expect(decodeFields({ [fieldName([0], 'string')]: 'a', [fieldName([1], 'string')]: 'b' })).toEqual(['a', 'b']);
    expect(decodeFields({ _form: 'fields' })).toEqual({});
  });
});

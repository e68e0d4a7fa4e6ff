/**
 * The generated form for a request body: one labelled control per field of the body's JSON Schema (planned by
 * `form-fields.ts`), with the HTML validation attributes its keywords imply, the values typed before (after a
 * 400) and the validation issues next to their fields. It posts as a plain HTML form (no JavaScript needed):
 * `_form=fields` plus one `_f:…` field per control, which the service turns into the JSON body. Every piece of
 * text from the schema, the values and the issues is escaped here.
 */
import type { JsonSchema } from '../../contracts/json-schema.js';
import { formatIssuePath } from '../../contracts/validate.js';
import { escapeHtml } from './escape.js';
import {
  type ArrayField,
  type FieldLimits,
  type FieldPathSegment,
  type FormField,
  type ObjectField,
  planForm,
  type ValueField,
} from './form-fields.js';
import { FIELDS_MARKER, fieldName } from './form-names.js';

/**
 * A validation issue as the service reports it (`path` like `body.address.zip`).
 *
 * @example
 * const issue: FormIssue = { path: 'body.title', message: 'Too short' };
 */
export interface FormIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * What the form is rendered with.
 *
 * @example
 * renderSchemaForm(schema, { action: '/notes/', methods: ['POST'], idPrefix: 'post' });
 */
export interface SchemaFormOptions extends FieldLimits {
  /** The same-origin action URL, not yet escaped. */
  readonly action: string;
  /** The methods this body goes to (POST plain, PUT and PATCH through `_method`). */
  readonly methods: readonly string[];
  /** Distinguishes the ids of two forms on one page. */
  readonly idPrefix: string;
  /** The submitted form fields to show again (raw text by control name). */
  readonly values?: Readonly<Record<string, string>> | undefined;
  readonly issues?: readonly FormIssue[] | undefined;
}

/** The rendered form, or why there is none (then the page keeps only the raw content tab). */
export type RenderedSchemaForm =
  | { readonly ok: true; readonly html: string }
  | { readonly ok: false; readonly reason: string };

/** Rows shown for an array without JavaScript: the typed ones plus one blank, at most this many. */
const MAX_ROWS = 50;

class FormWriter {
  #ids = 0;
  readonly #issues = new Map<string, string[]>();
  readonly #shown = new Set<string>();

  constructor(
    readonly options: SchemaFormOptions,
    issues: readonly FormIssue[],
  ) {
    for (const issue of issues) {
      const list = this.#issues.get(issue.path) ?? [];
      list.push(issue.message);
      this.#issues.set(issue.path, list);
    }
  }

  id(): string {
    this.#ids += 1;
    return `${this.options.idPrefix}-f${this.#ids}`;
  }

  value(name: string): string | undefined {
    const values = this.options.values;
    return values !== undefined && Object.hasOwn(values, name) ? values[name] : undefined;
  }

  /** The messages for a field path (issues say `body.a.b`, or `a.b` without a prefix); marks them shown. */
  issuesAt(path: readonly FieldPathSegment[]): string[] {
    const found: string[] = [];
    for (const key of [formatIssuePath(path, 'body'), formatIssuePath(path)]) {
      const messages = this.#issues.get(key);
      if (messages === undefined || this.#shown.has(key)) continue;
      this.#shown.add(key);
      found.push(...messages);
    }
    return found;
  }

  /** Issues no field showed (a key the form has no control for, an issue on the whole body). */
  unshown(): FormIssue[] {
    const rest: FormIssue[] = [];
    for (const [path, messages] of this.#issues) {
      if (!this.#shown.has(path)) for (const message of messages) rest.push({ path, message });
    }
    return rest;
  }
}

function attributes(attrs: Readonly<Record<string, string>>): string {
  let html = '';
  for (const name of Object.keys(attrs)) {
    const value = attrs[name] ?? '';
    html += value === '' && name === 'required' ? ' required' : ` ${name}="${escapeHtml(value)}"`;
  }
  return html;
}

function errorList(id: string, messages: readonly string[]): string {
  if (messages.length === 0) return '';
  const items = messages.map((message) => escapeHtml(message)).join('<br>');
  return `<p class="field-error" id="${id}-err">${items}</p>`;
}

function describedBy(id: string, help: boolean, errors: boolean): string {
  const ids = [help ? `${id}-help` : '', errors ? `${id}-err` : ''].filter((part) => part !== '');
  return ids.length === 0 ? '' : ` aria-describedby="${ids.join(' ')}"`;
}

function labelText(field: { label: string; required: boolean }, suffix = ''): string {
  const mark = field.required ? ' <span class="req" title="required">*</span>' : '';
  return `${escapeHtml(field.label)}${suffix}${mark}`;
}

/** The control itself (no label) for a value field, its name and shown text given. */
function control(field: ValueField, id: string, name: string, shown: string | undefined, extra: string): string {
  const common = `id="${id}" name="${escapeHtml(name)}"${extra}`;
  switch (field.control) {
    case 'select': {
      let options = '<option value="">&mdash;</option>';
      for (const option of field.options) {
        const selected = option.value === shown ? ' selected' : '';
        options += `<option value="${escapeHtml(option.value)}"${selected}>${escapeHtml(option.label)}</option>`;
      }
      return `<select ${common}${attributes(field.attributes)}>${options}</select>`;
    }
    case 'textarea':
    case 'json': {
      const rows = field.control === 'json' ? 3 : 4;
      const kind = field.control === 'json' ? ' class="json" spellcheck="false"' : '';
      return `<textarea ${common} rows="${rows}"${kind}${attributes(field.attributes)}>\n${escapeHtml(shown ?? '')}</textarea>`;
    }
    default: {
      const value = shown === undefined ? '' : ` value="${escapeHtml(shown)}"`;
      return `<input ${common} type="${field.inputType}"${value}${attributes(field.attributes)}>`;
    }
  }
}

function valueField(writer: FormWriter, field: ValueField): string {
  const id = writer.id();
  const name = fieldName(field.path, field.coding);
  const typed = writer.value(name);
  const messages = writer.issuesAt(field.path);
  const help =
    field.description === undefined ? '' : `<p class="field-help" id="${id}-help">${escapeHtml(field.description)}</p>`;
  const invalid = messages.length > 0 ? ' aria-invalid="true"' : '';
  const extra = describedBy(id, help !== '', messages.length > 0) + invalid;
  const errors = errorList(id, messages);
  const wrapClass = messages.length > 0 ? 'field invalid' : 'field';
  if (field.control === 'checkbox') {
    // Checked sends "true" first; the hidden "false" after it is what an unchecked box leaves (first value wins).
    const checked = (typed ?? field.defaultText) === 'true' ? ' checked' : '';
    return (
      `<div class="${wrapClass} check"><input id="${id}" name="${escapeHtml(name)}" type="checkbox" value="true"${checked}${extra}>` +
      `<input type="hidden" name="${escapeHtml(name)}" value="false">` +
      `<label for="${id}">${labelText({ ...field, required: false })}</label>${help}${errors}</div>`
    );
  }
  const suffix = field.control === 'datetime' ? ' <span class="unit">(UTC)</span>' : '';
  return (
    `<div class="${wrapClass}"><label for="${id}">${labelText(field, suffix)}</label>` +
    `${control(field, id, name, typed ?? field.defaultText, extra)}${help}${errors}</div>`
  );
}

function arrayField(writer: FormWriter, field: ArrayField): string {
  const id = writer.id();
  const messages = writer.issuesAt(field.path);
  let typedRows = 0;
  for (let index = 0; index < MAX_ROWS; index += 1) {
    if (writer.value(fieldName([...field.path, index], field.item.coding)) !== undefined) typedRows = index + 1;
  }
  const cap = Math.min(field.maxItems ?? MAX_ROWS, MAX_ROWS);
  const rows = Math.min(cap, Math.max(typedRows + 1, field.minItems, 1));
  let html = '';
  for (let index = 0; index < rows; index += 1) {
    const path = [...field.path, index];
    const name = fieldName(path, field.item.coding);
    const rowId = `${id}-${index}`;
    const rowMessages = writer.issuesAt(path);
    const { required: _required, ...rest } = field.item.attributes;
    // Only the first minItems rows must be filled; the others may stay blank (blank rows are not sent).
    const item: ValueField = { ...field.item, attributes: index < field.minItems ? field.item.attributes : rest };
    const label = ` aria-label="${escapeHtml(`${field.label} ${index + 1}`)}"`;
    const invalid = rowMessages.length > 0 ? ' aria-invalid="true"' : '';
    const extra = label + describedBy(rowId, false, rowMessages.length > 0) + invalid;
    html +=
      `<li class="row">${control(item, rowId, name, writer.value(name), extra)}` +
      `<button type="button" class="btn secondary row-remove" hidden>Remove</button>${errorList(rowId, rowMessages)}</li>`;
  }
  const help = field.description === undefined ? '' : `<p class="field-help">${escapeHtml(field.description)}</p>`;
  const max = field.maxItems === undefined ? '' : ` data-max="${Math.min(field.maxItems, MAX_ROWS)}"`;
  return (
    `<fieldset class="field array${messages.length > 0 ? ' invalid' : ''}" id="${id}"${max}><legend>${labelText(field)}</legend>${help}` +
    `<ol class="rows">${html}</ol>` +
    `<button type="button" class="btn secondary row-add" hidden>Add ${escapeHtml(field.label)}</button>` +
    `${errorList(id, messages)}</fieldset>`
  );
}

function objectField(writer: FormWriter, field: ObjectField, top: boolean): string {
  const inner = field.fields.map((child) => anyField(writer, child)).join('');
  if (top) return inner;
  const id = writer.id();
  const messages = writer.issuesAt(field.path);
  const help = field.description === undefined ? '' : `<p class="field-help">${escapeHtml(field.description)}</p>`;
  return (
    `<fieldset class="field object${messages.length > 0 ? ' invalid' : ''}" id="${id}"><legend>${labelText(field)}</legend>` +
    `${help}${errorList(id, messages)}${inner}</fieldset>`
  );
}

function anyField(writer: FormWriter, field: FormField, top = false): string {
  if (field.kind === 'object') return objectField(writer, field, top);
  if (field.kind === 'array') return arrayField(writer, field);
  return valueField(writer, field);
}

function buttons(methods: readonly string[]): string {
  return methods
    .map((method) => {
      const escaped = escapeHtml(method);
      const override = method === 'POST' ? '' : ` name="_method" value="${escaped}"`;
      return `<button type="submit" class="btn primary"${override} title="Make a ${escaped} request with this form">${escaped}</button>`;
    })
    .join('');
}

/**
 * The generated form for a body schema, or `ok: false` with the reason when the schema is too big for one.
 *
 * @example
 * renderSchemaForm(
 *   { type: 'object', properties: { title: { type: 'string', maxLength: 80 } }, required: ['title'] },
 *   { action: '/notes/', methods: ['POST'], idPrefix: 'post' },
 * ); // { ok: true, html: '<form class="fields-form" …><input … name="_f:s:[&quot;title&quot;]" … required maxlength="80">…' }
 */
export function renderSchemaForm(schema: JsonSchema, options: SchemaFormOptions): RenderedSchemaForm {
  const plan = planForm(schema, options);
  if (!plan.ok) return plan;
  const writer = new FormWriter(options, options.issues ?? []);
  const fields = anyField(writer, plan.root, true);
  const rest = writer.unshown();
  const summary =
    rest.length === 0
      ? ''
      : `<ul class="form-issues" role="alert">${rest
          .map((issue) => `<li><code>${escapeHtml(issue.path || 'body')}</code> ${escapeHtml(issue.message)}</li>`)
          .join('')}</ul>`;
  return {
    ok: true,
    html:
      `<form class="fields-form" action="${escapeHtml(options.action)}" method="post">` +
      `<input type="hidden" name="${FIELDS_MARKER}" value="fields">${summary}${fields}` +
      `<div class="form-buttons">${buttons(options.methods)}</div></form>`,
  };
}

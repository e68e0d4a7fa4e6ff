/**
 * The "Send content" section: the generated form(s) for the body schema as the first tab and the raw content
 * form as the second. Without JavaScript both panels are shown one above the other, each under its heading;
 * `page.js` turns the tab bar on and shows one panel at a time. After an error the panel that was used is the
 * one selected, with what was typed in it.
 */
import { type ContentFormOptions, contentForm } from './controls.js';
import { escapeHtml } from './escape.js';
import { FIELDS_MARKER } from './form-names.js';
import { selfHref } from './links.js';
import type { BodyFormModel } from './page-model.js';
import { type FormIssue, renderSchemaForm } from './schema-form.js';

/**
 * What the section is built from.
 *
 * @example
 * const input: ContentSectionInput = { fullPath: '/notes/', allowed: new Set(['GET', 'POST']), bodyForms: [] };
 */
export interface ContentSectionInput {
  readonly fullPath: string;
  readonly allowed: ReadonlySet<string>;
  readonly bodyForms?: readonly BodyFormModel[] | undefined;
  readonly contentTypes?: readonly string[] | undefined;
  readonly submittedForm?: Readonly<Record<string, string>> | undefined;
  readonly issues?: readonly FormIssue[] | undefined;
}

const BODY_METHODS = ['POST', 'PUT', 'PATCH'];

/** Whether the page needs more than the cached, empty raw form. */
export function needsContentSection(input: Omit<ContentSectionInput, 'fullPath' | 'allowed'>): boolean {
  return (input.bodyForms?.length ?? 0) > 0 || input.contentTypes !== undefined || input.submittedForm !== undefined;
}

function methodLabel(methods: readonly string[]): string {
  return methods.map((method) => escapeHtml(method)).join(', ');
}

/**
 * The section's HTML, or '' when no body method is allowed.
 *
 * @example
 * contentSection({ fullPath: '/notes/', allowed: new Set(['POST']), bodyForms: [{ methods: ['POST'], schema }] });
 * // '<section class="card content" data-tabs="fields" …><div class="tabs" role="tablist" hidden>…'
 */
export function contentSection(input: ContentSectionInput): string {
  const submitted = input.submittedForm;
  const raw: ContentFormOptions = {
    contentTypes: input.contentTypes,
    content: submitted?._content,
    contentType: submitted?._content_type,
    bare: true,
  };
  const rawForm = contentForm(input.fullPath, input.allowed, raw);
  if (rawForm === '') return '';
  const usedFields = submitted?.[FIELDS_MARKER] === 'fields';
  const forms: string[] = [];
  for (const [index, model] of (input.bodyForms ?? []).entries()) {
    const methods = BODY_METHODS.filter((method) => model.methods.includes(method) && input.allowed.has(method));
    if (methods.length === 0) continue;
    const rendered = renderSchemaForm(model.schema, {
      action: selfHref(input.fullPath),
      methods,
      idPrefix: `form${index}`,
      values: usedFields ? submitted : undefined,
      issues: usedFields ? input.issues : undefined,
    });
    const title = (input.bodyForms?.length ?? 0) > 1 ? `<h4 class="form-for">${methodLabel(methods)}</h4>` : '';
    forms.push(
      rendered.ok
        ? title + rendered.html
        : `${title}<p class="form-note">${escapeHtml(rendered.reason)} Use the raw content tab.</p>`,
    );
  }
  const heading = '<h2 id="content-title">Send content</h2>';
  if (forms.length === 0) {
    return `<section class="card content" aria-labelledby="content-title">${heading}${rawForm}</section>`;
  }
  const active = submitted !== undefined && !usedFields ? 'raw' : 'fields';
  const tab = (name: string, label: string) =>
    `<button type="button" role="tab" id="tab-${name}" aria-controls="panel-${name}" ` +
    `aria-selected="${active === name}" tabindex="${active === name ? 0 : -1}">${label}</button>`;
  return (
    `<section class="card content" aria-labelledby="content-title" data-active="${active}">${heading}` +
    `<div class="tabs" role="tablist" aria-label="How to write the body" hidden>${tab('fields', 'Form')}${tab('raw', 'Raw content')}</div>` +
    `<div class="tab-panel" id="panel-fields" role="tabpanel" aria-labelledby="tab-fields"><h3 class="panel-title">Form</h3>${forms.join('')}</div>` +
    `<div class="tab-panel" id="panel-raw" role="tabpanel" aria-labelledby="tab-raw"><h3 class="panel-title">Raw content</h3>${rawForm}</div>` +
    '</section>'
  );
}

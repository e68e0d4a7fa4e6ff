/**
 * Placeholder renderer, replaced by the browsable-page work: a minimal, fully escaped HTML page.
 */
import type { BrowsablePageModel, ErrorPageModel } from './page-model.js';

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);
}

export function renderBrowsablePage(model: BrowsablePageModel): string {
  const title = `Microservice API - ${escapeHtml(model.endpoint)}`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${escapeHtml(
    model.endpoint,
  )}</h1><pre>${escapeHtml(`${model.method} ${model.fullPath}`)}</pre><pre>${escapeHtml(
    `HTTP ${model.status} ${model.statusText}\n${JSON.stringify(model.body, null, 4)}`,
  )}</pre></body></html>`;
}

export function renderErrorPage(model: ErrorPageModel): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${model.status} ${escapeHtml(
    model.statusText,
  )}</title></head><body><h1>${escapeHtml(model.statusText)}</h1><p>${escapeHtml(model.message)}</p></body></html>`;
}

/** Headers every HTML response carries. */
export function htmlSecurityHeaders(): Record<string, string> {
  return {
    'content-security-policy': "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    'x-content-type-options': 'nosniff',
  };
}

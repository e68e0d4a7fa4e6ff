/**
 * The names of the generated form's controls, and turning a submitted form back into a JSON body. A name says
 * everything needed to place its value, so the server needs no schema to decode it: `_f:<coding>:<path>`, the
 * path being the JSON array of keys and indexes (`_f:n:["address","zip"]`). The body is then validated by the
 * route's own schema like any JSON body. Empty values are left out (so an optional field left blank is absent),
 * a number or JSON text that does not parse is kept as the typed string (the validator then says what is
 * wrong, and the page shows the text again), and empty array rows are dropped.
 */
import type { FieldCoding, FieldPathSegment } from './form-fields.js';

/**
 * The hidden field that marks a submission of the generated form (`_form=fields`).
 *
 * @example
 * if (form[FIELDS_MARKER] === 'fields') decodeFields(form);
 */
export const FIELDS_MARKER = '_form';

const PREFIX = '_f:';
const CODES: Readonly<Record<FieldCoding, string>> = {
  string: 's',
  number: 'n',
  boolean: 'b',
  json: 'j',
  datetime: 'd',
};
const CODINGS: ReadonlyMap<string, FieldCoding> = new Map(
  Object.entries(CODES).map(([coding, code]) => [code, coding as FieldCoding]),
);
/** Deepest path and largest array index accepted from a submission (the form limits bound the field count). */
const MAX_PATH = 32;
const MAX_INDEX = 999;

/**
 * The control name for a value at `path` sent with `coding`.
 *
 * @example
 * fieldName(['tags', 0], 'string'); // '_f:s:["tags",0]'
 */
export function fieldName(path: readonly FieldPathSegment[], coding: FieldCoding): string {
  return `${PREFIX}${CODES[coding]}:${JSON.stringify(path)}`;
}

/** The coding and path a control name carries, or undefined when it is not a well-formed field name. */
function parseName(name: string): { coding: FieldCoding; path: FieldPathSegment[] } | undefined {
  if (!name.startsWith(PREFIX) || name[PREFIX.length + 1] !== ':') return undefined;
  const coding = CODINGS.get(name[PREFIX.length] ?? '');
  if (coding === undefined) return undefined;
  let path: unknown;
  try {
    path = JSON.parse(name.slice(PREFIX.length + 2));
  } catch {
    return undefined;
  }
  if (!Array.isArray(path) || path.length > MAX_PATH) return undefined;
  for (const segment of path) {
    const index = typeof segment === 'number' && Number.isInteger(segment) && segment >= 0 && segment <= MAX_INDEX;
    if (!index && typeof segment !== 'string') return undefined;
  }
  return { coding, path };
}

function convert(text: string, coding: FieldCoding): unknown {
  switch (coding) {
    case 'number': {
      const number = Number(text.trim());
      return text.trim() !== '' && Number.isFinite(number) ? number : text;
    }
    case 'boolean':
      return text === 'true' || text === 'on';
    case 'json':
      try {
        return JSON.parse(text);
      } catch {
        return text;
      }
    case 'datetime':
      // datetime-local sends `YYYY-MM-DDTHH:MM[:SS]` with no zone; the form labels it UTC.
      if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(text)) return `${text}:00Z`;
      if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$/.test(text)) return `${text}Z`;
      return text;
    default:
      return text;
  }
}

type Container = Record<string, unknown> | unknown[];

function setOwn(container: Container, key: FieldPathSegment, value: unknown): void {
  // defineProperty, so a key such as `__proto__` is an ordinary own key and never a prototype.
  Object.defineProperty(container, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Places `value` at `path` (non-empty) in `root`, making containers as it goes; false when the path conflicts. */
function place(root: Container, path: readonly FieldPathSegment[], value: unknown): boolean {
  let container: Container = root;
  for (let index = 0; index < path.length; index += 1) {
    const key = path[index] as FieldPathSegment;
    if (Array.isArray(container) !== (typeof key === 'number')) return false;
    if (index === path.length - 1) break;
    const wantsArray = typeof path[index + 1] === 'number';
    let next = Object.hasOwn(container, key) ? (container as Record<string, unknown>)[key] : undefined;
    if (next === undefined) {
      next = wantsArray ? [] : {};
      setOwn(container, key, next);
    }
    if (typeof next !== 'object' || next === null || Array.isArray(next) !== wantsArray) return false;
    container = next as Container;
  }
  setOwn(container, path.at(-1) as FieldPathSegment, value);
  return true;
}

/** Drops the holes that blank rows leave in arrays, depth first. */
function compact(value: unknown, depth = 0): unknown {
  if (depth > MAX_PATH || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value))
    return value.filter((_, index) => Object.hasOwn(value, index)).map((v) => compact(v, depth + 1));
  for (const key of Object.keys(value))
    setOwn(value as Container, key, compact((value as Record<string, unknown>)[key], depth + 1));
  return value;
}

/**
 * The JSON body a generated form's fields describe (fields not named by {@link fieldName} are ignored). The
 * root path `[]` names a body that is one value; otherwise the body is an object.
 *
 * @example
 * decodeFields({ '_f:s:["title"]': 'Hi', '_f:n:["count"]': '2', '_f:s:["tags",0]': 'a', '_f:s:["tags",1]': '' });
 * // { title: 'Hi', count: 2, tags: ['a'] }
 */
export function decodeFields(form: Readonly<Record<string, string>>): unknown {
  let root: Container | undefined;
  let whole: { value: unknown } | undefined;
  for (const name of Object.keys(form)) {
    const parsed = parseName(name);
    const text = form[name];
    if (parsed === undefined || text === undefined) continue;
    if (text === '' && parsed.coding !== 'boolean') continue;
    const value = convert(text, parsed.coding);
    if (parsed.path.length === 0) {
      whole = { value };
      continue;
    }
    // A body that is an array of primitives has index paths from the root.
    root ??= typeof parsed.path[0] === 'number' ? [] : {};
    place(root, parsed.path, value);
  }
  if (whole !== undefined) return whole.value;
  return root === undefined ? {} : compact(root);
}

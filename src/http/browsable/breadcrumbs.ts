/**
 * Breadcrumbs derived from the request path: one crumb per path segment, each linking to that prefix, the
 * last one being the current page. Labels are the decoded segments; everything is escaped by the caller.
 */

/**
 * One crumb: its label and the same-origin path it links to.
 *
 * @example
 * const crumb: Breadcrumb = { label: 'second', href: '/second/' };
 */
export interface Breadcrumb {
  readonly label: string;
  readonly href: string;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * The crumbs for a request target, starting with the API root.
 *
 * @example
 * breadcrumbs('/second/one/?a=1');
 * // [{label: 'API root', href: '/'}, {label: 'second', href: '/second/'}, {label: 'one', href: '/second/one/'}]
 */
export function breadcrumbs(fullPath: string): Breadcrumb[] {
  const queryStart = fullPath.search(/[?#]/);
  const path = queryStart === -1 ? fullPath : fullPath.slice(0, queryStart);
  // Empty segments are dropped, so every href starts with exactly one `/` and stays on this origin.
  const segments = path.split('/').filter((segment) => segment !== '');
  const trailing = path.endsWith('/') ? '/' : '';
  const crumbs: Breadcrumb[] = [{ label: 'API root', href: '/' }];
  // Prefixes keep the path's trailing-slash style: Werkzeug-style rules tell `/a` and `/a/` apart.
  segments.forEach((segment, index) => {
    const prefix = segments.slice(0, index + 1).join('/');
    // Browsers read `\` as `/`; encoding it keeps `/\host` from becoming a link to another host.
    crumbs.push({ label: decodeSegment(segment), href: `/${prefix.replaceAll('\\', '%5C')}${trailing}` });
  });
  return crumbs;
}

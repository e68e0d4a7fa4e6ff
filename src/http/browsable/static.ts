/** Placeholder for the page's static assets under `/api/static/`, replaced by the browsable-page work. */
export interface StaticAsset {
  readonly body: Buffer;
  readonly contentType: string;
  readonly etag: string;
}

/** The asset for a path below `/api/static/` such as `css/page.css`, or undefined when there is none. */
export function findStaticAsset(_path: string): StaticAsset | undefined {
  return undefined;
}

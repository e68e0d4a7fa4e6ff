/**
 * The page's static assets (stylesheet, script, icon), served by the service under `/api/static/`. The set is
 * fixed: an allow-list of files beside this module, read once and kept in memory, so no request path can reach
 * any other file (no traversal), and each asset has a content-hash ETag for caching.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * One asset as the service sends it.
 *
 * @example
 * const asset: StaticAsset | undefined = findStaticAsset('js/page.js');
 */
export interface StaticAsset {
  readonly body: Buffer;
  readonly contentType: string;
  readonly etag: string;
}

/** An asset served below `/api/static/`: its media type and the source files joined to make it. */
interface AssetSource {
  readonly contentType: string;
  readonly files: readonly string[];
}

/**
 * The only paths ever served. The stylesheet is kept in small source files and joined into one response
 * (one request for the page); the order matters: later rules, such as the narrow-screen ones, win.
 */
const ASSET_SOURCES: Readonly<Record<string, AssetSource>> = {
  'css/page.css': {
    contentType: 'text/css; charset=utf-8',
    files: ['css/theme.css', 'css/controls.css', 'css/form.css', 'css/layout.css'],
  },
  'js/page.js': { contentType: 'text/javascript; charset=utf-8', files: ['js/page.js'] },
  'img/favicon.svg': { contentType: 'image/svg+xml', files: ['img/favicon.svg'] },
};

// Resolved from this module's URL so it works from src/ (tests, tsx) and from dist/ (copied by copy-assets.mjs).
const STATIC_DIR = new URL('./static/', import.meta.url);

let assets: ReadonlyMap<string, StaticAsset> | undefined;

function loadAssets(): ReadonlyMap<string, StaticAsset> {
  const loaded = new Map<string, StaticAsset>();
  for (const [path, source] of Object.entries(ASSET_SOURCES)) {
    const body = Buffer.concat(source.files.map((file) => readFileSync(new URL(file, STATIC_DIR))));
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    loaded.set(path, { body, contentType: source.contentType, etag });
  }
  return loaded;
}

/**
 * The asset for a path below `/api/static/` (such as `css/page.css`), or undefined when there is none.
 * A leading `/` and a query string are ignored; anything outside the fixed set is undefined.
 *
 * @example
 * const asset = findStaticAsset('css/page.css');
 * if (asset) reply.header('content-type', asset.contentType).header('etag', asset.etag).send(asset.body);
 */
export function findStaticAsset(path: string): StaticAsset | undefined {
  assets ??= loadAssets();
  const clean = path.replace(/^\/+/, '').split(/[?#]/, 1)[0] ?? '';
  return Object.hasOwn(ASSET_SOURCES, clean) ? assets.get(clean) : undefined;
}

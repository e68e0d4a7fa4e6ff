/**
 * The two steps before a body is parsed, as kombu takes them: undo the `compression` header (kombu's
 * `compression=` option writes the codec's media type there) and turn bytes into text by the declared
 * `content_encoding`. Both refuse what they cannot do exactly: an undecodable byte or an unknown codec
 * throws `PayloadDecodeError` with the true reason, and the service dead-letters the message.
 */
import { brotliDecompressSync, inflateSync } from 'node:zlib';
import { PayloadDecodeError } from './codec.js';

/** The largest body a compressed message may inflate to (a zip bomb stops here). */
export const MAX_INFLATED_BYTES = 64 * 1024 * 1024;

/** kombu's compression media types and aliases (kombu/compression.py), by what Node can undo. */
const INFLATE = new Set(['application/x-gzip', 'gzip', 'zlib']);
const BROTLI = new Set(['application/x-brotli', 'brotli']);
const UNSUPPORTED: Readonly<Record<string, string>> = {
  'application/x-bz2': 'bzip2',
  bzip2: 'bzip2',
  bzip: 'bzip2',
  'application/x-lzma': 'lzma',
  lzma: 'lzma',
  xz: 'lzma',
  'application/zstd': 'zstd',
  zstd: 'zstd',
  zstandard: 'zstd',
};

/**
 * Undoes kombu's compression (`headers.compression`); the body as is when there is none.
 * @example decompressBody(zlib.deflateSync(Buffer.from('{}')), 'application/x-gzip').toString(); // '{}'
 */
export function decompressBody(body: Buffer, compression: unknown): Buffer {
  if (compression === undefined || compression === null || compression === '') return body;
  if (typeof compression !== 'string') {
    throw new PayloadDecodeError(`the compression header is not a string (${typeof compression})`);
  }
  const codec = compression.trim().toLowerCase();
  try {
    if (INFLATE.has(codec)) return inflateSync(body, { maxOutputLength: MAX_INFLATED_BYTES });
    if (BROTLI.has(codec)) return brotliDecompressSync(body, { maxOutputLength: MAX_INFLATED_BYTES });
  } catch (error) {
    const tooLarge = (error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE';
    throw new PayloadDecodeError(
      tooLarge
        ? `the ${codec} body inflates to more than ${MAX_INFLATED_BYTES} bytes`
        : `the body is not valid ${codec} data`,
      error,
    );
  }
  const known = UNSUPPORTED[codec];
  throw new PayloadDecodeError(
    known
      ? `${known} compression ("${compression.slice(0, 64)}") is not supported: Node has no ${known} decoder; use kombu compression='zlib'`
      : `unknown compression "${compression.slice(0, 64)}"`,
  );
}

type Charset = 'utf-8' | 'utf-16le' | 'utf-16be' | 'utf-16' | 'latin1' | 'ascii';

/** Python codec names and aliases kombu producers send, to the decoder used here. */
const CHARSETS: Readonly<Record<string, Charset>> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'utf-16': 'utf-16',
  utf16: 'utf-16',
  'utf-16le': 'utf-16le',
  'utf-16-le': 'utf-16le',
  'utf-16be': 'utf-16be',
  'utf-16-be': 'utf-16be',
  latin1: 'latin1',
  'latin-1': 'latin1',
  'iso-8859-1': 'latin1',
  iso8859_1: 'latin1',
  'iso8859-1': 'latin1',
  l1: 'latin1',
  ascii: 'ascii',
  'us-ascii': 'ascii',
};

const decoders = {
  'utf-8': new TextDecoder('utf-8', { fatal: true }),
  'utf-16le': new TextDecoder('utf-16le', { fatal: true }),
  'utf-16be': new TextDecoder('utf-16be', { fatal: true }),
};

/** Python's 'utf-16' reads a byte-order mark and falls back to little-endian, as here. */
function utf16Order(body: Buffer): 'utf-16le' | 'utf-16be' {
  return body.length >= 2 && body[0] === 0xfe && body[1] === 0xff ? 'utf-16be' : 'utf-16le';
}

/**
 * Decodes text by the declared charset (default UTF-8), strictly: a byte sequence that is not valid in it
 * throws instead of becoming U+FFFD. ISO-8859-1 is the real one (every byte maps), not windows-1252.
 * @example decodeCharset(Buffer.from([0xe9]), 'latin-1'); // 'é'
 */
export function decodeCharset(body: Buffer, encoding: string | undefined): string {
  const label = encoding === undefined ? 'utf-8' : encoding.trim().toLowerCase().replace(/_/g, '-');
  const charset = CHARSETS[label] ?? CHARSETS[label.replace(/-/g, '')];
  if (charset === undefined) {
    throw new PayloadDecodeError(`unsupported content encoding "${String(encoding).slice(0, 64)}"`);
  }
  if (charset === 'latin1') return body.toString('latin1');
  if (charset === 'ascii') {
    const index = body.findIndex((byte) => byte > 0x7f);
    if (index >= 0)
      throw new PayloadDecodeError(`body is not valid ascii text (byte 0x${body[index]?.toString(16)} at ${index})`);
    return body.toString('latin1');
  }
  const decoder = decoders[charset === 'utf-16' ? utf16Order(body) : charset];
  try {
    return decoder.decode(body);
  } catch (error) {
    throw new PayloadDecodeError(`body is not valid ${encoding ?? 'utf-8'} text`, error);
  }
}

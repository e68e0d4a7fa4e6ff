/** The base of every error the toolkit throws: a stable `code` to branch on, `status` where HTTP applies. */
export class MicroservicesError extends Error {
  /** A stable, documented identifier such as `MS_HTTP_NOT_FOUND`; never changes between releases. */
  readonly code: string;
  /** The HTTP status this error maps to, when it maps to one. */
  readonly status: number | undefined;

  /**
   * @example throw new MicroservicesError('MS_QUEUE_CLOSED', 'the client is closed');
   */
  constructor(code: string, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = options.status;
  }
}

/**
 * Hides the password in a connection URL so that names and log lines never show it:
 * `amqp://guest:guest@host/` becomes `amqp://guest:**@host/`. Text that is not a URL is returned unchanged
 * unless it has a `user:password@` part, which is masked all the same.
 * @example maskPassword('amqp://guest:secret@localhost:5672/'); // 'amqp://guest:**@localhost:5672/'
 */
export function maskPassword(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):[^@/?#\s]*@/i, '$1:**@');
}

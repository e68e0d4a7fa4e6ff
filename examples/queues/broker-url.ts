/**
 * Where the queue examples connect: `BROKER_URL` when set (e.g. `amqp://guest:guest@localhost:5672/`),
 * otherwise the embedded in-process broker, so every example runs without installing anything.
 */
export const brokerUrl = (): string => process.env.BROKER_URL || 'memory://demo';

/** True when this module is the script node was started with (not imported by a test). */
export function isMain(moduleUrl: string): boolean {
  const script = process.argv[1];
  return script !== undefined && moduleUrl === new URL(`file://${script}`).href;
}

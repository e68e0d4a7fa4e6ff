/**
 * A benchmark driver must not import a child script for its values: the import runs the child in the
 * driver's own process. The scaling driver did so (for `preciseNow`): a consumer started in `npm run bench`'s
 * process, connected to RabbitMQ, and the run never exited after writing its report.
 */
import { describe, expect, it } from 'vitest';

describe('bench drivers and their child scripts', () => {
  it('importing the scaling driver starts no child in this process', async () => {
    const listeners = process.listenerCount('message');
    await import('../../bench/queues/scaling/suite.js');
    expect(process.listenerCount('message')).toBe(listeners);
  });
});

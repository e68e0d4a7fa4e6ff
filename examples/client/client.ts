/**
 * The seed README's client example, ported one to one. Start the example service first (`npm start`), then
 * `npx tsx examples/client/client.ts`. ENDPOINT overrides the address (default http://localhost:5000/).
 *
 * Expected output (one line per call, as in the seed README):
 *   POST something for hello
 *   {"test":"tested"}
 *   SECOND
 *   {"test":"tested"}
 *   test
 *   {}
 *   ["one",2]
 *   {"response":["one",2,{"test":"tested"}]}
 */
import { getLogger, setLogging } from 'microservices-ts';
import { Client } from 'microservices-ts/client';

/** Runs the eight calls of the seed README against `endpoint`; `log` gets each result as it arrives. */
export async function runClientExample(
  endpoint: string,
  log: (result: unknown) => void = (result) => console.log(JSON.stringify(result)),
): Promise<void> {
  const client = new Client(endpoint);
  try {
    log(await client.get({ key: 'response' }));
    log(await client.post({ data: { test: 'tested' } }));

    const secondResource = client.resource('second');

    log(await secondResource.get({ key: 'response' }));
    log(await secondResource.post({ data: { test: 'tested' } }));

    log(await secondResource.get('test', { key: 'response' }));
    log(await secondResource.post('test'));

    const oneTwoResource = secondResource.resource('one', '2');
    log(await oneTwoResource.get({ key: 'response' }));
    log(await oneTwoResource.post({ data: { test: 'tested' } }));
  } finally {
    await client.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  setLogging('info');
  const logger = getLogger('microservices client');
  await runClientExample(process.env.ENDPOINT ?? 'http://localhost:5000/', (result) =>
    logger.info(JSON.stringify(result)),
  );
}

import { describe, expectTypeOf, it } from 'vitest';
import {
  BaseClient,
  type Client,
  type ClientError,
  HttpClient,
  type RawResponse,
  type RequestOptions,
  type Resource,
  type ResponseError,
  type TimeoutError,
  type Verb,
} from '../../src/client/index.js';
import type { MicroservicesError } from '../../src/errors.js';

declare const client: Client;

describe('client types', () => {
  it('types the result of a verb by its type argument, unknown by default', () => {
    expectTypeOf(client.get()).toEqualTypeOf<Promise<unknown>>();
    expectTypeOf(client.get<string[]>('notes', { key: 'response' })).toEqualTypeOf<Promise<string[]>>();
    expectTypeOf(client.post<{ id: number }>({ data: { a: 1 } })).toEqualTypeOf<Promise<{ id: number }>>();
  });

  it('takes string and number parts, then optionally an options object last', () => {
    expectTypeOf(client.get('a', 2, 'c')).toEqualTypeOf<Promise<unknown>>();
    expectTypeOf(client.get('a', { key: 'response', query: { q: [1, 2] } })).toEqualTypeOf<Promise<unknown>>();
    expectTypeOf(client.delete({ timeout: { total: 1000, headers: 500 } })).toEqualTypeOf<Promise<unknown>>();
    // @ts-expect-error options must come last
    client.get({ key: 'x' }, 'a');
    // @ts-expect-error parts are strings or numbers
    client.get(true);
    // @ts-expect-error unknown option
    client.get({ nope: 1 });
  });

  it('checks option values', () => {
    expectTypeOf<RequestOptions['auth']>().toEqualTypeOf<
      { readonly username: string; readonly password: string } | { readonly bearer: string } | undefined
    >();
    // @ts-expect-error timeout is ms or phases
    client.get({ timeout: '5s' });
  });

  it('has resources with the same verbs, and any verb through the index signature', () => {
    const second = client.resource('second');
    expectTypeOf(second).toEqualTypeOf<Resource>();
    expectTypeOf(second.resource('one', 2).get<number[]>()).toEqualTypeOf<Promise<number[]>>();
    expectTypeOf(client.request<string>('PURGE', 'cache')).toEqualTypeOf<Promise<string>>();
    expectTypeOf(client.endpoint).toEqualTypeOf<string>();
  });

  it('constructs through Client and its HttpClient alias; BaseClient can be subclassed', () => {
    expectTypeOf(new HttpClient('http://h/')).toEqualTypeOf<Client>();
    // Under noUncheckedIndexedAccess (this repository) an index-signature verb may be undefined.
    expectTypeOf(client.purge).toEqualTypeOf<Verb | undefined>();
    class Lenient extends BaseClient {
      protected override handleResponse(response: RawResponse, key: string | undefined, url: string): unknown {
        return response.statusCode === 418 ? 'teapot' : super.handleResponse(response, key, url);
      }
    }
    expectTypeOf(new Lenient('http://h/').get).toBeFunction();
  });

  it('roots every error in MicroservicesError through ClientError', () => {
    expectTypeOf<ResponseError>().toExtend<ClientError>();
    expectTypeOf<TimeoutError>().toExtend<ClientError>();
    expectTypeOf<ClientError>().toExtend<MicroservicesError>();
    expectTypeOf<ResponseError['statusCode']>().toEqualTypeOf<number>();
  });
});

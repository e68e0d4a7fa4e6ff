/** A page model for the renderer tests: the seed's "second" resource, overridable per test. */
import type { BrowsablePageModel } from '../../../src/http/browsable/page-model.js';

export function pageModel(overrides: Partial<BrowsablePageModel> = {}): BrowsablePageModel {
  return {
    serviceName: 'hello-world',
    endpoint: 'second_params',
    method: 'GET',
    fullPath: '/second/one/2/',
    origin: 'http://127.0.0.1:5000',
    status: 200,
    statusText: 'OK',
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
    body: { response: ['one', 2] },
    allowedMethods: ['GET', 'HEAD', 'OPTIONS'],
    ...overrides,
  };
}

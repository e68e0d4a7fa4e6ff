/**
 * The HTTP service's router, resource records and closing flag are its own state (issue 11 item 4): outside
 * code reads the records through a read-only view and cannot reach the router or the flag.
 */
import { describe, expect, it } from 'vitest';
import { HttpService, ResourceMarker } from '../../src/http/index.js';

describe('HttpService state', () => {
  it('keeps router and closing private and shows the resource records read-only', async () => {
    const app = new HttpService('fields');
    app.get('/notes/', { resource: new ResourceMarker() }, () => []);
    expect('router' in app).toBe(false);
    expect('closing' in app).toBe(false);
    expect(Object.keys(app)).not.toContain('resources');
    expect(app.resources.get('/notes/')?.endpoints).toEqual(['/notes/']);
    // @ts-expect-error the records are written only by route()
    expect(typeof app.resources.set).toBe('function');
    expect(() => {
      // @ts-expect-error not a field any more
      app.resources = new Map();
    }).toThrow(TypeError);
    await app.close();
  });
});

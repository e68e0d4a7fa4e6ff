import { describe, expect, it } from 'vitest';
import { renderBrowsablePage } from '../../../src/http/browsable/render.js';
import { viewTitle } from '../../../src/http/browsable/title.js';
import { pageModel } from './model.js';

describe('view title (checklist 42)', () => {
  it.each([
    ['hello_world', 'Hello world'],
    ['second_params_two', 'Second params two'],
    ['Hello, world!', 'Hello, world!'],
    ['d', 'D'],
    ['API-v2.Items', 'Api v2 items'],
    ['', ''],
  ])('turns endpoint %j into %j', (endpoint, title) => {
    expect(viewTitle(endpoint)).toBe(title);
  });

  it('puts "Microservice API - {Title}" in <title> and the title in <h1>', () => {
    const html = renderBrowsablePage(pageModel({ endpoint: 'second_params_two' }));
    expect(html).toContain('<title>Microservice API - Second params two</title>');
    expect(html).toMatch(/<h1>Second params two<\/h1>/);
  });

  it('shows the service name in the header', () => {
    const html = renderBrowsablePage(pageModel({ serviceName: 'notes-service' }));
    expect(html).toMatch(/<header[^>]*>.*notes-service.*<\/header>/s);
  });
});

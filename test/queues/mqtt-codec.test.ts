import { describe, expect, it } from 'vitest';
import { decodeMqttProperties, encodeMqttProperties } from '../../src/queues/transports/mqtt/codec.js';

describe('MQTT codec: the envelope rides in the properties JSON', () => {
  it('sends one user property and reads properties and envelope back', () => {
    const encoded = encodeMqttProperties(
      { messageId: 'm1', contentType: 'application/json', headers: { a: 1 } },
      { publisher: 'p1', sequence: 7 },
    );
    expect(Object.keys(encoded.userProperties)).toEqual(['ms-properties']);
    expect(encoded.contentType).toBe('application/json');
    const decoded = decodeMqttProperties(encoded);
    expect(decoded.properties).toEqual({ messageId: 'm1', contentType: 'application/json', headers: { a: 1 } });
    expect(decoded.envelope).toEqual({ publisher: 'p1', sequence: 7 });
  });

  it('carries a requeued copy’s count and route, also with no properties at all', () => {
    const encoded = encodeMqttProperties({}, { deliveryCount: 3, exchange: 'x', routingKey: 'a.b' });
    // Also as separate user properties, for consumers of an earlier version on the same queue.
    expect(encoded.userProperties).toMatchObject({
      'ms-delivery-count': '3',
      'ms-exchange': 'x',
      'ms-routing-key': 'a.b',
    });
    expect(decodeMqttProperties(encoded)).toEqual({
      properties: {},
      envelope: { deliveryCount: 3, exchange: 'x', routingKey: 'a.b' },
    });
    expect(encodeMqttProperties({}, {}).userProperties['ms-properties']).toBe('{}');
  });

  it('still decodes the separate user properties earlier versions sent', () => {
    const decoded = decodeMqttProperties({
      userProperties: {
        'ms-properties': '{"messageId":"m2"}',
        'ms-publisher': 'p2',
        'ms-seq': '5',
        'ms-delivery-count': '2',
      },
    });
    expect(decoded).toEqual({
      properties: { messageId: 'm2' },
      envelope: { publisher: 'p2', sequence: 5, deliveryCount: 2 },
    });
  });

  it('drops envelope fields of the wrong type from a foreign client', () => {
    const decoded = decodeMqttProperties({
      userProperties: {
        'ms-properties': '{"ms-envelope":{"publisher":5,"sequence":"7","deliveryCount":-1,"exchange":"e"}}',
      },
    });
    expect(decoded).toEqual({ properties: {}, envelope: { exchange: 'e' } });
  });
});

/**
 * The queue session's PUBACKs without a broker: a fake MQTT.js client records what the session writes, to show
 * that the acknowledgements of one event-loop turn leave in one socket write (issue 16), and that none is
 * sent for a message of an earlier connection.
 */
import { EventEmitter } from 'node:events';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { getLogger } from '../../src/logging.js';
import { type MqttModule, quietUnlessDebugging } from '../../src/queues/transports/mqtt/peer.js';
import { type IncomingMessage, MqttSession } from '../../src/queues/transports/mqtt/session.js';
import { mqttSettings } from '../../src/queues/transports/mqtt/settings.js';

class FakeStream {
  readonly calls: string[] = [];
  cork(): void {
    this.calls.push('cork');
  }
  uncork(): void {
    this.calls.push('uncork');
  }
}

class FakeClient extends EventEmitter {
  connected = true;
  readonly stream = new FakeStream();
  readonly options: Record<string, unknown>;
  constructor(options: Record<string, unknown>) {
    super();
    this.options = options;
  }
  _sendPacket(packet: { cmd: string; messageId: number }): void {
    this.stream.calls.push(`${packet.cmd} ${packet.messageId}`);
  }
}

function sessionOnFakeClient(): { session: MqttSession; client: FakeClient } {
  let client: FakeClient | undefined;
  const mqtt = {
    connect: (_url: string, options: Record<string, unknown>) => {
      client = new FakeClient(options);
      return client;
    },
  } as unknown as MqttModule;
  const session = new MqttSession({
    mqtt,
    settings: mqttSettings(new URL('mqtt://127.0.0.1:1/'), {}),
    clientId: 'msq-fake',
    receiveMaximum: 10,
    logger: getLogger('test.mqtt-session'),
    onMessage: () => {},
  });
  if (!client) throw new Error('the session did not connect');
  client.emit('connect', { sessionPresent: false });
  return { session, client };
}

const message = (messageId: number, generation = 1): IncomingMessage =>
  ({ packet: { cmd: 'publish', messageId, qos: 1, topic: 'ms/q/x', payload: Buffer.alloc(0) }, generation }) as never;

describe('mqtt queue session acknowledgements (no broker)', () => {
  it('sends the PUBACKs of one event-loop turn in one socket write, uncorked on the next turn', async () => {
    const { session, client } = sessionOnFakeClient();
    expect([1, 2, 3].map((id) => session.acknowledge(message(id)))).toEqual([true, true, true]);
    expect(client.stream.calls).toEqual(['cork', 'puback 1', 'puback 2', 'puback 3']);
    await nextTurn();
    expect(client.stream.calls.at(-1)).toBe('uncork');
    expect(session.acknowledge(message(4))).toBe(true);
    await nextTurn();
    expect(client.stream.calls.slice(5)).toEqual(['cork', 'puback 4', 'uncork']);
  });

  it('sends no PUBACK, and holds no write, for a message from an earlier connection', async () => {
    const { session, client } = sessionOnFakeClient();
    client.emit('connect', { sessionPresent: true });
    expect(session.acknowledge(message(1, 1))).toBe(false);
    await nextTurn();
    expect(client.stream.calls).toEqual([]);
  });

  it("silences MQTT.js's debug logger unless DEBUG is set", () => {
    const { client } = sessionOnFakeClient();
    expect(typeof client.options.log).toBe(process.env.DEBUG ? 'undefined' : 'function');
    expect(quietUnlessDebugging({ DEBUG: 'mqttjs*' })).toEqual({});
    expect(quietUnlessDebugging({}).log).toBeTypeOf('function');
  });
});

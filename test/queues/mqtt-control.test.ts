/**
 * The control connection's publish without a broker: a fake MQTT.js client answers each publish, to check how
 * a "no matching subscribers" PUBACK (reason 16) is read, including for a packet id used again later.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { getLogger } from '../../src/logging.js';
import { MqttControl, NoSubscribersError } from '../../src/queues/transports/mqtt/control.js';
import type { MqttModule } from '../../src/queues/transports/mqtt/peer.js';
import { mqttSettings } from '../../src/queues/transports/mqtt/settings.js';

type Callback = (error: Error | undefined, packet?: { messageId: number }) => void;

class FakeClient extends EventEmitter {
  readonly stream = {};
  readonly streamBuilder = (): object => ({});
  readonly published: Callback[] = [];
  publish(_topic: string, _payload: unknown, _options: unknown, callback: Callback): void {
    this.published.push(callback);
  }
  /** Answers the oldest unanswered publish with a PUBACK on `messageId` carrying `reasonCode`. */
  puback(messageId: number, reasonCode: number): void {
    this.emit('packetreceive', { cmd: 'puback', messageId, reasonCode });
    this.published.shift()?.(undefined, { messageId });
  }
}

function control(): { control: MqttControl; client: FakeClient } {
  const client = new FakeClient();
  const mqtt = { connect: () => client } as unknown as MqttModule;
  return {
    control: new MqttControl(mqtt, mqttSettings(new URL('mqtt://127.0.0.1:1/'), {}), getLogger('test.mqtt-control')),
    client,
  };
}

describe('mqtt control publish (no broker)', () => {
  it('refuses a publish nobody subscribes to, and reads a later PUBACK on the same packet id afresh', async () => {
    const { control: connection, client } = control();
    const refused = connection.publish('ms/q/a', 'x', {}, true);
    client.puback(1, 16);
    await expect(refused).rejects.toBeInstanceOf(NoSubscribersError);
    const accepted = connection.publish('ms/q/a', 'x', {}, true);
    client.puback(1, 0);
    await expect(accepted).resolves.toBeUndefined();
  });

  it('forgets the reason of a publish that timed out before its PUBACK came', async () => {
    const { control: connection, client } = control();
    const late = connection.publish('ms/q/a', 'x', {}, true, { ms: 1, error: () => new Error('late') });
    await expect(late).rejects.toThrow('late');
    client.puback(7, 16);
    const next = connection.publish('ms/q/a', 'x', {}, true);
    client.puback(7, 0);
    await expect(next).resolves.toBeUndefined();
    await connection.end().catch(() => undefined);
  });
});

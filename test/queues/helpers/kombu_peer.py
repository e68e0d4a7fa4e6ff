"""A kombu (py-amqp) peer for the interoperability tests, run with Debian's /usr/bin/python3 and python3-kombu.

    kombu_peer.py produce URL QUEUE COUNT [unreadable]   publish COUNT JSON messages with kombu's header types
                                                     (unreadable: plus a header nested 40 tables deep)
    kombu_peer.py consume URL QUEUE COUNT                consume COUNT messages, print their headers as JSON

Headers are printed with tagged values where JSON has no type: {"$datetime": iso}, {"$decimal": str},
{"$bytes": hex}. Never unpickles anything: only json, text and binary bodies are accepted.
"""
import datetime
import decimal
import json
import socket
import sys
import time

from kombu import Connection, Consumer, Exchange, Queue


def deeply_nested(levels):
    """Tables nested past what our decoder reads (RabbitMQ itself refuses unknown type tags at publish)."""
    value = None
    for _ in range(levels):
        value = {'n': value}
    return value


def kombu_headers(index):
    """What kombu writes for Python values: L for ints past 2**31, signed D decimals, T datetimes, F, A, V."""
    return {
        'index': index,
        'big': 2 ** 40,
        'huge': 2 ** 62,
        'negative_big': -(2 ** 40),
        'decimal': decimal.Decimal('-1.5'),
        'when': datetime.datetime(2023, 11, 14, 22, 13, 20),
        'nested': {'list': [1, 'two', None, True, 2.5]},
        'nothing': None,
    }


def produce(url, queue, count, unreadable):
    with Connection(url) as conn:
        producer = conn.Producer(serializer='json')
        for index in range(count):
            headers = kombu_headers(index)
            if unreadable:
                headers['deep'] = deeply_nested(40)
            producer.publish(
                {'index': index},
                exchange=Exchange(''),
                routing_key=queue,
                headers=headers,
                message_id='kombu-%d' % index,
                delivery_mode=2,
                retry=False,
            )


def tagged(value):
    if isinstance(value, datetime.datetime):
        return {'$datetime': value.isoformat()}
    if isinstance(value, decimal.Decimal):
        return {'$decimal': str(value)}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {'$bytes': bytes(value).hex()}
    raise TypeError(type(value).__name__)


def consume(url, queue, count):
    received = []

    def on_message(body, message):
        received.append({'headers': message.headers, 'body': body, 'encoding': message.content_encoding})
        message.ack()

    with Connection(url) as conn:
        source = Queue(queue, exchange=Exchange(''), routing_key=queue, durable=True, no_declare=True)
        with Consumer(conn, [source], callbacks=[on_message], accept=['json', 'text/plain', 'application/data']):
            deadline = time.time() + 15
            while len(received) < count and time.time() < deadline:
                try:
                    conn.drain_events(timeout=1)
                except socket.timeout:
                    pass
    print(json.dumps(received, default=tagged))


if __name__ == '__main__':
    mode, url, queue, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    if mode == 'produce':
        produce(url, queue, count, len(sys.argv) > 5 and sys.argv[5] == 'unreadable')
    else:
        consume(url, queue, count)

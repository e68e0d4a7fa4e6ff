"""A kombu (py-amqp) request/reply peer for the RPC interoperability tests, run with Debian's /usr/bin/python3.

    kombu_rpc.py call URL QUEUE JSON MODE     send JSON as a request and print the reply as JSON
                                              ({"body", "correlation_id", "headers", "matched"});
                                              MODE direct: RabbitMQ direct reply-to (amq.rabbitmq.reply-to),
                                              MODE queue: an exclusive callback queue, as in the RabbitMQ tutorial
    kombu_rpc.py serve URL QUEUE COUNT        answer COUNT requests on QUEUE (declared durable), then exit:
                                              {"a", "b"} -> a + b; {"fail": msg} -> an error reply in our shape

Only JSON bodies are accepted; nothing is unpickled.
"""
import json
import socket
import sys
import time
import uuid

from kombu import Connection, Consumer, Exchange, Producer, Queue


def call(url, queue, payload, mode):
    correlation_id = str(uuid.uuid4())
    replies = []

    def on_reply(body, message):
        replies.append({
            'body': body,
            'correlation_id': message.properties.get('correlation_id'),
            'headers': message.headers,
        })

    with Connection(url) as conn:
        channel = conn.default_channel
        if mode == 'direct':
            reply_queue = Queue('amq.rabbitmq.reply-to', no_ack=True, no_declare=True)
            reply_to = 'amq.rabbitmq.reply-to'
        else:
            reply_to = 'kombu-rpc-callback-%s' % uuid.uuid4().hex
            reply_queue = Queue(reply_to, exchange=Exchange(''), routing_key=reply_to, exclusive=True, auto_delete=True)
        with Consumer(channel, [reply_queue], callbacks=[on_reply], no_ack=True, accept=['json']):
            Producer(channel).publish(
                payload,
                exchange='',
                routing_key=queue,
                serializer='json',
                reply_to=reply_to,
                correlation_id=correlation_id,
                retry=False,
            )
            deadline = time.time() + 15
            while not replies and time.time() < deadline:
                try:
                    conn.drain_events(timeout=1)
                except socket.timeout:
                    pass
    if not replies:
        sys.exit('no reply within 15 s')
    reply = replies[0]
    reply['matched'] = reply['correlation_id'] == correlation_id
    print(json.dumps(reply))


def serve(url, queue, count):
    answered = []

    with Connection(url) as conn:
        channel = conn.default_channel
        producer = Producer(channel)

        def on_request(body, message):
            props = message.properties
            if 'fail' in body:
                reply, headers = {'code': 'PY_FAILED', 'message': body['fail']}, {'x-ms-error': True}
            else:
                reply, headers = body['a'] + body['b'], {}
            producer.publish(
                reply,
                exchange='',
                routing_key=props['reply_to'],
                correlation_id=props.get('correlation_id'),
                headers=headers,
                serializer='json',
                retry=False,
            )
            message.ack()
            answered.append(1)

        source = Queue(queue, exchange=Exchange(''), routing_key=queue, durable=True)
        with Consumer(channel, [source], callbacks=[on_request], accept=['json']):
            print('ready', flush=True)
            deadline = time.time() + 30
            while len(answered) < count and time.time() < deadline:
                try:
                    conn.drain_events(timeout=1)
                except socket.timeout:
                    pass
    print(json.dumps({'answered': len(answered)}))


if __name__ == '__main__':
    command = sys.argv[1]
    if command == 'call':
        call(sys.argv[2], sys.argv[3], json.loads(sys.argv[4]), sys.argv[5])
    elif command == 'serve':
        serve(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        sys.exit(__doc__)

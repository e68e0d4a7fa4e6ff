/**
 * `node bench/queues/profile-window.mjs <file.cpuprofile> <messages> [--top 30] [--marker REGEX] [--before]
 * [--start REGEX] [--inclusive REGEX]`: reads a profile written by `bench/queues/ab.ts --profile` and charges
 * the samples of one phase to its messages, in µs per message: self time by function and by file or package,
 * and inclusive time of the functions whose "name file" matches `--inclusive` (default: the toolkit's `dist/`).
 * The phase starts
 * at the first sample with a function matching `--marker` on its stack (default: the NATS consumers of both
 * rows, `natsDelivery|^string nm/@nats-io/jetstream`; for MQTT's live mode `publishAll|^publish bench`; for
 * AMQP e.g. `AmqpDelivery|^(anon) bench/queues/impls/amqp-raw`) and runs to the end; `--before` takes the
 * samples before the marker instead (the publish phase of a backlog run), from the first sample matching
 * `--start REGEX` when given (e.g. `^publish`, which leaves out the start-up). Idle samples are counted apart.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    top: { type: 'string', default: '30' },
    marker: { type: 'string', default: 'natsDelivery|^string nm/@nats-io/jetstream' },
    before: { type: 'boolean', default: false },
    start: { type: 'string' },
    inclusive: { type: 'string', default: ' dist/' },
  },
});
const [file, messagesText] = positionals;
if (!file || !messagesText) throw new Error('usage: profile-window.mjs <file.cpuprofile> <messages>');
const messages = Number(messagesText);
const root = fileURLToPath(new URL('../../', import.meta.url));
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

const shortUrl = (url) => url.replace(/^.*node_modules\//, 'nm/').replace(`file://${root}`, '');
const nameOf = (node) =>
  `${node.callFrame.functionName || '(anon)'} ${shortUrl(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;

const times = [];
let clock = profile.startTime;
profile.samples.forEach((_, index) => {
  clock += profile.timeDeltas[index];
  times.push(clock);
});
const firstMatch = (pattern) => {
  const regex = new RegExp(pattern);
  const at = profile.samples.findIndex((id) => {
    for (let current = id; current !== undefined; current = parentOf.get(current)) {
      if (regex.test(nameOf(byId.get(current)))) return true;
    }
    return false;
  });
  if (at < 0) throw new Error(`no sample matches ${pattern}`);
  return at;
};
const markerAt = firstMatch(values.marker);
const from = values.before ? (values.start === undefined ? 0 : firstMatch(values.start)) : markerAt;
const to = values.before ? markerAt : profile.samples.length;

const self = new Map();
const files = new Map();
const inclusive = new Map();
const add = (map, key, us) => map.set(key, (map.get(key) ?? 0) + us);
let busy = 0;
let idle = 0;
for (let index = from; index < to; index++) {
  const us = (times[index + 1] ?? times[index]) - times[index];
  const node = byId.get(profile.samples[index]);
  if (node.callFrame.functionName === '(idle)') {
    idle += us;
    continue;
  }
  busy += us;
  add(self, nameOf(node), us);
  add(files, shortUrl(node.callFrame.url).replace(/^(nm\/(@[^/]+\/)?[^/]+).*$/, '$1') || '(native)', us);
  const seen = new Set();
  for (let current = profile.samples[index]; current !== undefined; current = parentOf.get(current)) {
    const name = nameOf(byId.get(current));
    if (!seen.has(name)) {
      seen.add(name);
      add(inclusive, name, us);
    }
  }
}

const top = Number(values.top);
const table = (map) =>
  [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, us]) => `${(us / messages).toFixed(2).padStart(8)}  ${name}`)
    .join('\n');
const wallMs = (times[to - 1] - times[from]) / 1000;
const wanted = new RegExp(values.inclusive);
console.log(
  `busy ${(busy / messages).toFixed(1)} µs/msg, idle ${(idle / 1000).toFixed(0)} ms of ${wallMs.toFixed(0)} ms`,
);
console.log(`--- self time by function (µs/msg)\n${table(self)}`);
console.log(`--- self time by file or package (µs/msg)\n${table(files)}`);
console.log(
  `--- inclusive time, names matching ${values.inclusive} (µs/msg)\n${table(new Map([...inclusive].filter(([name]) => wanted.test(name))))}`,
);

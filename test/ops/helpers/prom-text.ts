/**
 * A strict checker for the Prometheus text exposition format 0.0.4, for tests (prom-client has no parser):
 * metric and label name syntax, quoted label values with only the three escapes, HELP/TYPE at most once per
 * family and before its samples, one contiguous block per family, sample names that belong to their family,
 * no duplicate series, and for histograms: `le` buckets increasing, counts non-decreasing, `+Inf` present and
 * equal to `_count`, `_sum` present. It throws on the first violation, naming the line.
 */

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  type: string;
  help: string | undefined;
  readonly samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function fail(lineNumber: number, line: string, why: string): never {
  throw new Error(`line ${lineNumber}: ${why}: ${JSON.stringify(line)}`);
}

function parseValue(text: string, lineNumber: number, line: string): number {
  // Prometheus reads values with Go's ParseFloat, which takes NaN and Inf in any case (prom-client writes `Nan`).
  if (/^\+?inf(inity)?$/i.test(text)) return Number.POSITIVE_INFINITY;
  if (/^-inf(inity)?$/i.test(text)) return Number.NEGATIVE_INFINITY;
  if (/^nan$/i.test(text)) return Number.NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) fail(lineNumber, line, `bad value ${text}`);
  return Number(text);
}

/** Parses `{a="x",b="y"}` starting at `start` (the `{`); returns the labels and the index after `}`. */
function parseLabels(line: string, start: number, lineNumber: number): [Record<string, string>, number] {
  const labels: Record<string, string> = {};
  let index = start + 1;
  while (line[index] !== '}') {
    const nameMatch = /^[^=]*/.exec(line.slice(index))?.[0] ?? '';
    if (!LABEL_NAME.test(nameMatch)) fail(lineNumber, line, `bad label name ${nameMatch}`);
    if (nameMatch in labels) fail(lineNumber, line, `duplicate label ${nameMatch}`);
    index += nameMatch.length;
    if (line[index] !== '=' || line[index + 1] !== '"') fail(lineNumber, line, 'expected ="');
    index += 2;
    let value = '';
    for (;;) {
      const char = line[index];
      if (char === undefined) fail(lineNumber, line, 'unterminated label value');
      if (char === '"') break;
      if (char === '\\') {
        const next = line[index + 1];
        if (next === '\\') value += '\\';
        else if (next === '"') value += '"';
        else if (next === 'n') value += '\n';
        else fail(lineNumber, line, `bad escape \\${next}`);
        index += 2;
      } else {
        value += char;
        index += 1;
      }
    }
    labels[nameMatch] = value;
    index += 1;
    if (line[index] === ',') index += 1;
    else if (line[index] !== '}') fail(lineNumber, line, 'expected , or }');
  }
  return [labels, index + 1];
}

function familyOf(sampleName: string, families: Map<string, Family>): Family | undefined {
  const exact = families.get(sampleName);
  if (exact) return exact;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!sampleName.endsWith(suffix)) continue;
    const family = families.get(sampleName.slice(0, -suffix.length));
    if (family && (family.type === 'histogram' || (family.type === 'summary' && suffix !== '_bucket'))) return family;
  }
  return undefined;
}

function checkHistogram(family: Family): void {
  const groups = new Map<string, { buckets: [number, number][]; sum?: number; count?: number }>();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const group = groups.get(key) ?? { buckets: [] };
    groups.set(key, group);
    if (sample.name === `${family.name}_bucket`) {
      if (le === undefined) throw new Error(`${family.name}: bucket without le`);
      group.buckets.push([le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), sample.value]);
    } else if (sample.name === `${family.name}_sum`) group.sum = sample.value;
    else if (sample.name === `${family.name}_count`) group.count = sample.value;
    else throw new Error(`${family.name}: unexpected sample ${sample.name} in a histogram`);
  }
  for (const [key, group] of groups) {
    const where = `${family.name}${key}`;
    for (let i = 1; i < group.buckets.length; i++) {
      const [previousLe, previousCount] = group.buckets[i - 1] as [number, number];
      const [le, count] = group.buckets[i] as [number, number];
      if (!(le > previousLe)) throw new Error(`${where}: le not increasing (${previousLe} then ${le})`);
      if (count < previousCount) throw new Error(`${where}: bucket counts decrease at le=${le}`);
    }
    const last = group.buckets.at(-1);
    if (!last || last[0] !== Number.POSITIVE_INFINITY) throw new Error(`${where}: no +Inf bucket`);
    if (group.count === undefined || group.sum === undefined) throw new Error(`${where}: _sum or _count missing`);
    if (last[1] !== group.count) throw new Error(`${where}: +Inf bucket ${last[1]} != _count ${group.count}`);
  }
}

/** Parses and checks `text`; returns the families by name. */
export function parsePrometheusText(text: string): Map<string, Family> {
  if (text !== '' && !text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  const families = new Map<string, Family>();
  const closed = new Set<string>();
  const series = new Set<string>();
  let current: Family | undefined;
  const enter = (name: string, lineNumber: number, line: string): Family => {
    if (current?.name === name) return current;
    if (closed.has(name) || families.has(name)) fail(lineNumber, line, `family ${name} is not contiguous`);
    if (current) closed.add(current.name);
    const family: Family = { name, type: 'untyped', help: undefined, samples: [] };
    families.set(name, family);
    current = family;
    return family;
  };
  text.split('\n').forEach((line, index) => {
    const lineNumber = index + 1;
    if (line === '') return;
    if (line.startsWith('#')) {
      const match = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!match) return; // a plain comment
      const [, keyword, name = '', rest = ''] = match;
      if (!METRIC_NAME.test(name)) fail(lineNumber, line, `bad metric name ${name}`);
      const family = enter(name, lineNumber, line);
      if (keyword === 'HELP') {
        if (family.help !== undefined) fail(lineNumber, line, 'second HELP');
        if (/\\[^\\n]/.test(rest.replace(/\\\\/g, ''))) fail(lineNumber, line, 'bad escape in HELP');
        family.help = rest;
      } else {
        if (!TYPES.has(rest)) fail(lineNumber, line, `bad type ${rest}`);
        if (family.samples.length > 0 || family.type !== 'untyped')
          fail(lineNumber, line, 'TYPE after samples or twice');
        family.type = rest;
      }
      return;
    }
    const name = /^[^{\s]*/.exec(line)?.[0] ?? '';
    if (!METRIC_NAME.test(name)) fail(lineNumber, line, `bad metric name ${name}`);
    let labels: Record<string, string> = {};
    let rest = line.slice(name.length);
    if (rest.startsWith('{')) {
      const [parsed, end] = parseLabels(line, name.length, lineNumber);
      labels = parsed;
      rest = line.slice(end);
    }
    const parts = rest.split(' ');
    if (parts[0] !== '' || parts.length < 2 || parts.length > 3)
      fail(lineNumber, line, 'expected " value [timestamp]"');
    const value = parseValue(parts[1] ?? '', lineNumber, line);
    if (parts[2] !== undefined && !/^-?\d+$/.test(parts[2])) fail(lineNumber, line, 'bad timestamp');
    const family = familyOf(name, families) ?? enter(name, lineNumber, line);
    if (family !== current) fail(lineNumber, line, `sample of ${family.name} outside its block`);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (series.has(key)) fail(lineNumber, line, 'duplicate series');
    series.add(key);
    family.samples.push({ name, labels, value });
  });
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

/** The value of the one sample named `name` whose labels include `labels`; throws when not exactly one. */
export function sampleValue(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const matches = [...families.values()]
    .flatMap((family) => family.samples)
    .filter(
      (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
    );
  if (matches.length !== 1) throw new Error(`${matches.length} samples named ${name} with ${JSON.stringify(labels)}`);
  return (matches[0] as Sample).value;
}

/**
 * Summaries of a V8 .cpuprofile for the bench's profiling scripts (bench/profile.ts, bench/contracts/profile.ts):
 * self time by function and by file, and total (inclusive) time of the functions on the hottest paths.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
  readonly children?: readonly number[];
}

export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas?: readonly number[];
}

function shortUrl(url: string): string {
  const root = fileURLToPath(new URL('..', import.meta.url));
  return url.replace('file://', '').replace(root, '') || '(native)';
}

function nameOf(node: ProfileNode): string {
  return `${node.callFrame.functionName || '(anonymous)'} ${shortUrl(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
}

/** Total time per function: the samples with that function anywhere on the stack (recursion counted once). */
function inclusive(profile: CpuProfile): Map<string, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const childIds = new Set(profile.nodes.flatMap((node) => node.children ?? []));
  const totals = new Map<string, number>();
  const onPath = new Map<string, number>();
  const visit = (node: ProfileNode): void => {
    const name = nameOf(node);
    onPath.set(name, (onPath.get(name) ?? 0) + 1);
    const hits = node.hitCount ?? 0;
    if (hits > 0) for (const entry of onPath.keys()) totals.set(entry, (totals.get(entry) ?? 0) + hits);
    for (const id of node.children ?? []) {
      const child = byId.get(id);
      if (child) visit(child);
    }
    const depth = (onPath.get(name) ?? 1) - 1;
    if (depth === 0) onPath.delete(name);
    else onPath.set(name, depth);
  };
  for (const node of profile.nodes) if (!childIds.has(node.id)) visit(node);
  return totals;
}

export function summarise(profile: CpuProfile, top: number): string[] {
  const total = profile.samples.length || 1;
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const file = shortUrl(node.callFrame.url);
    const name = nameOf(node);
    byFunction.set(name, (byFunction.get(name) ?? 0) + hits);
    const group = file.startsWith('node_modules/') ? file.split('/').slice(0, 2).join('/') : file;
    byFile.set(group, (byFile.get(group) ?? 0) + hits);
  }
  const percent = (hits: number): string => `${((hits / total) * 100).toFixed(1).padStart(5)}%`;
  const sorted = (map: Map<string, number>): [string, number][] => [...map].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [
    `self time by function (top ${top}):`,
    ...sorted(byFunction).map(([name, hits]) => `${percent(hits)}  ${name}`),
    '',
    `self time by file or package (top ${top}):`,
    ...sorted(byFile).map(([name, hits]) => `${percent(hits)}  ${name}`),
    '',
    `total time by function, the toolkit's and Fastify's (top ${top}):`,
    ...sorted(
      new Map(
        [...inclusive(profile)].filter(([name]) => /^\S+ (dist\/|\S*node_modules\/(fastify|zod|ajv))/.test(name)),
      ),
    ).map(([name, hits]) => `${percent(hits)}  ${name}`),
  ];
}

/** Self time per function and per file or package, in µs per request (`requests` served while profiling). */
export interface SelfTimes {
  readonly byFunction: Map<string, number>;
  readonly byFile: Map<string, number>;
}

/**
 * Reads a .cpuprofile and divides each function's self time (from the samples' time deltas) by `requests`.
 * @example const { byFile } = selfTimes('bench/profiles/x.cpuprofile', 70_000);
 */
export function selfTimes(file: string, requests: number): SelfTimes {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const deltas = profile.timeDeltas ?? [];
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  profile.samples.forEach((id, index) => {
    const node = byId.get(id);
    if (!node) return;
    const us = (deltas[index + 1] ?? deltas[index] ?? 0) / requests;
    const url = shortUrl(node.callFrame.url);
    const name = nameOf(node);
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    const group = url.includes('node_modules/') ? url.replace(/^.*node_modules\/((@[^/]+\/)?[^/]+).*$/, '$1') : url;
    byFile.set(group, (byFile.get(group) ?? 0) + us);
  });
  return { byFunction, byFile };
}

import { fileURLToPath } from 'node:url';

const src = (path: string): string => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

/** Lets tests and examples import the package by its public name, straight from the sources. */
export const packageAliases = [
  { find: /^microservices-ts\/http$/, replacement: src('http/index.ts') },
  { find: /^microservices-ts\/client$/, replacement: src('client/index.ts') },
  { find: /^microservices-ts\/queues$/, replacement: src('queues/index.ts') },
  { find: /^microservices-ts$/, replacement: src('index.ts') },
];

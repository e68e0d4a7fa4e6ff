// Copies the browsable page's static assets next to the compiled code (tsc copies only .ts output).
import { cpSync, existsSync } from 'node:fs';

const from = 'src/http/browsable/static';
if (existsSync(from)) cpSync(from, 'dist/http/browsable/static', { recursive: true });

/** The shared lifecycle: the {@link Part} verbs and the {@link runParts} orchestrator. */
export { type CloseHook, closeablePart, type Part, type PartKind, type StopContext } from './part.js';
export { type RunHandle, type RunPartsOptions, runParts, type StopReason, type StopResult } from './run-parts.js';

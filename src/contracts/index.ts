/**
 * Typed contracts on Standard Schema: validation with stable issues, inferred handler types, JSON Schema,
 * and OpenAPI 3.1 / AsyncAPI 3.0 document builders. Independent of the HTTP service and the queues, which
 * plug into it (see docs/contracts.md for what is wired and what is not yet).
 * @example
 * import { validate, buildOpenApi } from './contracts/index.js';
 */
export {
  type AsyncApiBuild,
  type AsyncApiDescriptor,
  buildAsyncApi,
  type ExchangeDescriptor,
  type QueueDescriptor,
} from './asyncapi.js';
export type {
  AnySchema,
  InferInput,
  InferOutput,
  RouteBodyInput,
  RouteData,
  RouteHeaders,
  RouteInput,
  RouteQuery,
  RouteResponseBody,
  RouteReturn,
  RouteSchema,
  RouteStatus,
} from './infer.js';
export {
  type JsonSchema,
  type JsonSchemaOptions,
  type JsonSchemaResult,
  type MissingJsonSchema,
  rebaseRefs,
  type SchemaSide,
  toJsonSchema,
} from './json-schema.js';
export {
  buildOpenApi,
  type DocumentInfo,
  type MissingPart,
  type OpenApiBuild,
  type ResourceEnvelope,
  type RouteDescriptor,
} from './openapi.js';
export type { ROUTE_TABLE, RoutesOf, RouteTable, RouteTableEntry, RouteTypes, WithRoutes } from './route-table.js';
export { converterSchema, parseRule, type RuleParameter, type RulePart, type RuleText, toOpenApiPath } from './rule.js';
export {
  formatIssuePath,
  VALIDATOR_FAILED_MESSAGE,
  type ValidateOptions,
  ValidationError,
  type ValidationFailure,
  type ValidationIssue,
  type ValidationResult,
  type ValidationSuccess,
  validate,
  validateEager,
} from './validate.js';

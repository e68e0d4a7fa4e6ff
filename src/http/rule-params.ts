/**
 * Compile-time types for Werkzeug-style rules: `RuleParams<'/x/<int:id>/<name>'>` is `{ id: number; name: string }`.
 * Kept apart from the runtime matcher (rules.ts) because it is pure type machinery.
 */

type Trim<S extends string> = S extends ` ${infer R}` ? Trim<R> : S extends `${infer R} ` ? Trim<R> : S;

type Unquote<S extends string> = S extends `'${infer R}'` ? R : S extends `"${infer R}"` ? R : S;

/** `a, b,'c'` → `'a' | 'b' | 'c'`: the values an `any(...)` converter accepts. */
type AnyChoices<S extends string> = S extends `${infer Head},${infer Tail}`
  ? Unquote<Trim<Head>> | AnyChoices<Tail>
  : Unquote<Trim<S>>;

/** The TypeScript type a converter produces. */
type ConverterValue<Converter extends string> = Converter extends `any(${infer Choices})`
  ? AnyChoices<Choices>
  : Converter extends `${infer Name}(${string}`
    ? ConverterValue<Name>
    : Converter extends 'int' | 'float'
      ? number
      : Converter extends 'bigint'
        ? bigint
        : string;

type OneParam<Inner extends string> = Inner extends `${infer Converter}:${infer Name}`
  ? { [K in Trim<Name>]: ConverterValue<Trim<Converter>> }
  : { [K in Trim<Inner>]: string };

type Merge<T> = { [K in keyof T]: T[K] } & {};

type CollectParams<Rule extends string> = Rule extends `${string}<${infer Inner}>${infer Rest}`
  ? OneParam<Inner> & CollectParams<Rest>
  : unknown;

/**
 * The typed parameters of a rule string.
 * @example
 * type P = RuleParams<'/second/<string:test>/<int:two>/'>; // { test: string; two: number }
 */
export type RuleParams<Rule extends string> = string extends Rule
  ? Record<string, string | number>
  : Merge<CollectParams<Rule>>;

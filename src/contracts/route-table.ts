/**
 * A service's routes as types only: the HTTP service's `route()`/`get()`/... add each route to a phantom
 * property of the service's type, and the typed client (src/client/typed.ts) reads it back. Kept here, between
 * the two, because `http/` and `client/` never import each other. Nothing here exists at run time.
 */

/** The phantom key under which a value's type records its routes (never set at run time). */
export declare const ROUTE_TABLE: unique symbol;

/**
 * What the table knows about one route and method: its schemas and its rule's typed path parameters.
 * @example type T = RouteTypes<{ body: typeof NoteInput }, { id: number }>;
 */
export interface RouteTypes<S, P> {
  readonly schema: S;
  readonly params: P;
}

/**
 * A route table: rule string, then upper-case method, then that route's types.
 * @example type T = { '/notes/<int:id>/': { GET: RouteTypes<{ response: { 200: typeof Note } }, { id: number }> } };
 */
export type RouteTable = { readonly [rule: string]: { readonly [method: string]: RouteTypes<unknown, unknown> } };

/** One route's entry in a table. */
export type RouteTableEntry<Rule extends string, Method extends string, S, P> = {
  readonly [R in Rule]: { readonly [M in Uppercase<Method>]: RouteTypes<S, P> };
};

/**
 * Carries a route table in a value's type. Every `route()`, `get()`, ... returns the service typed
 * `this & WithRoutes<...>`, so a service built in one chain has all its routes in its type.
 * @example const app = new Microservice('notes').get('/notes/', () => []); type T = RoutesOf<typeof app>;
 */
export interface WithRoutes<T> {
  readonly [ROUTE_TABLE]?: T;
}

/**
 * The route table a value's type carries (`{}` for none).
 * @example type T = RoutesOf<typeof app>;
 */
export type RoutesOf<App> =
  App extends WithRoutes<infer T> ? (T extends object ? T : Record<never, never>) : Record<never, never>;

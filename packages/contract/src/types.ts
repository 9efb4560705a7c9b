import type { AnyContract, AnyProcedure, AnyTopic } from './define.js';
import type { ContractError } from './errors.js';
import type { In, Out, Schema } from './schema.js';

/** The first segment of a dotted name (`math` of `math.add`). */
export type Head<K extends string> = K extends `${infer H}.${string}` ? H : K;

/**
 * Turns dotted keys into nested objects: `{ 'math.add': A, 'math.sub': B, ping: C }` ->
 * `{ math: { add: A; sub: B }; ping: C }` (a name is never both a leaf and a namespace).
 */
export type Nest<T> = {
  [H in Head<keyof T & string>]: H extends keyof T ? T[H] : Nest<{ [K in keyof T & string as K extends `${H}.${infer Rest}` ? Rest : never]: T[K] }>;
};

/** The procedures of a contract type. */
export type ProceduresOf<C extends AnyContract> = C['procedures'];
/** The topics of a contract type. */
export type TopicsOf<C extends AnyContract> = C['topics'];

/** The input a caller passes to procedure `D` (before defaults). */
export type InputOf<D extends AnyProcedure> = In<D['input']>;
/** The input a handler of procedure `D` receives (validated, defaults applied). */
export type ParsedInputOf<D extends AnyProcedure> = Out<D['input']>;
/** The result a handler of procedure `D` returns. */
export type HandlerOutputOf<D extends AnyProcedure> = In<D['output']>;
/** The result a caller of procedure `D` receives. */
export type OutputOf<D extends AnyProcedure> = Out<D['output']>;
/** The progressive result type of procedure `D` as received (`never` when it is not progressive). */
export type ProgressOf<D extends AnyProcedure> = D['progress'] extends Schema ? Out<D['progress']> : never;
/** The payload of topic `T` as subscribers receive it. */
export type PayloadOf<T extends AnyTopic> = Out<T['payload']>;

/** The bound errors procedure `D` of contract `C` declares (a union; `never` for none). */
export type ErrorsOf<C extends AnyContract, D extends AnyProcedure> = D['errors'][number] extends infer N
  ? N extends keyof C['errors']
    ? C['errors'][N] extends ContractError<infer Name, infer Details>
      ? ContractError<Name, Details>
      : never
    : never
  : never;

/** Argument list of a call: the input is optional when every field is. */
export type InputArgs<I, Options> = {} extends I ? [input?: I, options?: Options] : [input: I, options?: Options];

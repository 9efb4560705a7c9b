/**
 * `@junction/contract`: typed contracts for WAMP. Define procedures, topics and errors once as
 * zod 4 schemas in a module shared by server and clients; {@link implement} serves them with
 * validation, {@link bind} calls and subscribes with full types, and `contract.describe()` gives
 * the JSON Schema description that code generators and docs are built from.
 * @packageDocumentation
 */
export { defineContract, procedure, topic, error } from './define.js';
export type {
  AnyContract,
  AnyProcedure,
  AnyTopic,
  Contract,
  ContractErrors,
  ContractProcedure,
  ContractSpec,
  ContractTopic,
  EmptyInput,
  ErrorDefinition,
  ErrorSpec,
  ProcedureDefinition,
  ProcedureExample,
  ProcedureSpec,
  TopicDefinition,
  TopicSpec,
} from './define.js';
export { CallError } from './errors.js';
export type { AnyContractError, ContractError, DeclaredError, ErrorCases, TypedWampError } from './errors.js';
export { implement, reflectionUri, REFLECTION_PREFIX } from './implement.js';
export type { ContractLog, Handler, HandlerContext, HandlerContextBase, Handlers, Implementation, ImplementOptions, ImplementTarget, NoExtraKeys, ProgressContext, SessionIdentity } from './implement.js';
export { bind } from './bind.js';
export type {
  BindOptions,
  BoundApi,
  BoundProcedure,
  BoundProcedureOf,
  BoundProgressiveProcedure,
  BoundTopic,
  BoundTopicOf,
  EventInfo,
  ProcedureCallOptions,
  ProgressiveCall,
  ProgressiveCallOptions,
  SafeResult,
  TopicEvents,
  ValidateOptions,
} from './bind.js';
export { describeContract, DESCRIPTION_FORMAT, JSON_SCHEMA_DIALECT } from './describe.js';
export type { ContractDescription, ErrorDescription, JsonSchema, ProcedureDescription, TopicDescription } from './describe.js';
export { issuesOf, toWireIssues } from './schema.js';
export type { In, Out, ObjectSchema, Schema, WireIssue } from './schema.js';
export { ContractErrorUri } from './wire.js';
export type { ErrorsOf, HandlerOutputOf, Head, InputArgs, InputOf, Nest, OutputOf, ParsedInputOf, PayloadOf, ProgressOf } from './types.js';

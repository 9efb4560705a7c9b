/**
 * `@junction/codegen`: typed client stubs, an API docs site and an AsyncAPI 3.0 document, all
 * made from a contract description (`contract.describe()`, or fetched from a running router
 * through the reflection procedure). The `junction` bin runs them: `junction generate`,
 * `junction docs`.
 * @packageDocumentation
 */
export { generateClient } from './generate-client.js';
export type { GenerateClientOptions } from './generate-client.js';
export { schemaToType, literalType, schemaDocLines, constraintNotes } from './json-schema-ts.js';
export type { JsonSchemaNode, RefResolver, SchemaToTypeOptions } from './json-schema-ts.js';
export { renderDocs } from './docs/render.js';
export type { DocsFiles, DocsOptions } from './docs/render.js';
export { renderHtml, escapeHtml } from './docs/html.js';
export type { HtmlOptions } from './docs/html.js';
export { toAsyncApi, WAMP_SUBPROTOCOLS } from './docs/asyncapi.js';
export type { AsyncApiOptions } from './docs/asyncapi.js';
export { fieldRows, typeLabel } from './docs/fields.js';
export type { FieldRow } from './docs/fields.js';
export { serveDocs } from './docs/serve.js';
export type { DocsHandler, ServeDocsOptions } from './docs/serve.js';
export { permissionsFromRoles } from './docs/permissions.js';
export type { PermissionCheck } from './docs/permissions.js';
export { serveReflection, fetchDescriptions, reflectionProcedure, REFLECTION_PREFIX } from './reflection.js';
export type { Describable, FetchDescriptionsOptions, ReflectionService, ReflectionTarget } from './reflection.js';
export { loadContracts, pickContract } from './load-contract.js';
export type { LoadedContract } from './load-contract.js';
export { assertDescription, SUPPORTED_FORMAT } from './description.js';
export { main, COMMANDS } from './cli/main.js';
export { parseFlags, UsageError } from './cli/args.js';
export type { Command, CommandIo, FlagSpec, Flags } from './cli/args.js';

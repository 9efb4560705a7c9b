/**
 * Named TypeScript declarations for the schemas of a description: each root schema (an input,
 * an output, a payload...) becomes one exported type, its `$defs` become types of their own
 * (shared between roots when they are the same schema under the same name).
 */
import { schemaDocLines, schemaToType, type JsonSchemaNode } from './json-schema-ts.js';
import { pascalCase, tsdoc, type NameAllocator } from './names.js';

const GENERATED_DEF = /^__schema\d+$/;

/** Collects the declarations of named types, in the order they are added. */
export class TypeBook {
  private readonly declarations: string[] = [];
  /** Shared `$defs` by their key: the schema text and the type name it got. */
  private readonly shared = new Map<string, { json: string; name: string }[]>();

  constructor(private readonly names: NameAllocator) {}

  /**
   * Declares `schema` as an exported type named after `wanted` (made unique) with `doc` lines on
   * top, and its `$defs` after it. Returns the type's name.
   */
  add(wanted: string, schema: JsonSchemaNode, doc: string[] = []): string {
    const name = this.names.allocate(wanted);
    const defs = typeof schema === 'object' && typeof schema.$defs === 'object' && schema.$defs !== null ? (schema.$defs as Record<string, JsonSchemaNode>) : {};
    const defNames = new Map<string, string>();
    const fresh: [string, JsonSchemaNode][] = [];
    for (const [key, def] of Object.entries(defs)) {
      if (GENERATED_DEF.test(key)) {
        const defName = this.names.allocate(`${name}${pascalCase(key)}`);
        defNames.set(key, defName);
        fresh.push([defName, def]);
        continue;
      }
      const json = JSON.stringify(def);
      const known = this.shared.get(key)?.find((entry) => entry.json === json);
      if (known !== undefined) {
        defNames.set(key, known.name);
        continue;
      }
      const defName = this.names.allocate(pascalCase(key));
      defNames.set(key, defName);
      this.shared.set(key, [...(this.shared.get(key) ?? []), { json, name: defName }]);
      fresh.push([defName, def]);
    }
    const resolve = (ref: string): string => {
      if (ref === '#') return name;
      const match = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(ref);
      const key = match?.[1]?.replace(/~1/g, '/').replace(/~0/g, '~');
      return (key !== undefined ? defNames.get(key) : undefined) ?? 'unknown';
    };
    this.declare(name, schema, [...doc, ...schemaDocLines(schema)], resolve);
    for (const [defName, def] of fresh) this.declare(defName, def, schemaDocLines(def), resolve);
    return name;
  }

  /** All declarations, separated by blank lines. */
  text(): string {
    return this.declarations.join('\n');
  }

  private declare(name: string, schema: JsonSchemaNode, doc: string[], resolve: (ref: string) => string): void {
    const type = schemaToType(schema, { resolve });
    const comment = tsdoc(doc, '');
    // A plain object type reads best as an interface (and shows by name in editors).
    const plainObject = type.startsWith('{\n') && type.endsWith('}') && isPlainObjectSchema(schema);
    this.declarations.push(plainObject ? `${comment}export interface ${name} ${type}\n` : `${comment}export type ${name} = ${type};\n`);
  }
}

function isPlainObjectSchema(schema: JsonSchemaNode): boolean {
  if (typeof schema !== 'object') return false;
  return schema.type === 'object' && schema.nullable !== true && ['anyOf', 'oneOf', 'allOf', '$ref', 'const', 'enum'].every((k) => !(k in schema));
}

// Walks a zod schema along a data path (as zod reports it in an issue) to the strict object whose
// keys were rejected, so config and rules problems can list the allowed keys and a did-you-mean.
// Reads only zod's public `_zod.def`; never validates anything itself.
import type * as z from 'zod';

export type SchemaPathKey = string | number;

/** Follows a value path through the schema to the object at its end (optional/default/union unwrapped). */
export function schemaAt(root: z.ZodType, path: readonly SchemaPathKey[]): z.ZodType | undefined {
  let schema: z.ZodType | undefined = unwrap(root, path[0]);
  for (const [i, key] of path.entries()) {
    if (!schema) return undefined;
    const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
    let next: unknown;
    if (def.type === 'object') next = (def['shape'] as Record<string, unknown>)[String(key)];
    else if (def.type === 'array') next = def['element'];
    else if (def.type === 'record') next = def['valueType'];
    schema = unwrap(next as z.ZodType | undefined, path[i + 1]);
  }
  return schema;
}

function unwrap(schema: z.ZodType | undefined, nextKey: SchemaPathKey | undefined): z.ZodType | undefined {
  let current = schema;
  for (;;) {
    if (!current) return undefined;
    const def = current._zod.def as unknown as Record<string, unknown> & { type: string };
    if (def.type === 'optional' || def.type === 'default' || def.type === 'prefault' || def.type === 'nullable') current = def['innerType'] as z.ZodType;
    else if (def.type === 'pipe') current = def['in'] as z.ZodType;
    else if (def.type === 'union') {
      const options = def['options'] as z.ZodType[];
      current = options.find((o) => unwrap(o, nextKey)?._zod.def.type === (typeof nextKey === 'number' ? 'array' : 'object')) ?? options[0];
    } else return current;
  }
}

/** The keys an object schema allows, in declaration order; [] for anything else. */
export function objectKeys(schema: z.ZodType): string[] {
  const def = schema._zod.def as unknown as { type: string; shape?: Record<string, unknown> };
  return def.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

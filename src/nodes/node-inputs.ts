// The named inputs of a node: where a flow keeps each one (a TypedInput: `<property>` and `<property>Type`), what a flow
// saved without it reads, and reading them all for one message.

import type { Node, NodeAPI, NodeMessage } from 'node-red';
import { Bitrix24Error } from '../bitrix24';

/** The TypedInput types the nodes accept for their inputs. */
export const PROPERTY_TYPES = ['msg', 'flow', 'global', 'str', 'json', 'env', 'jsonata'] as const;

/** A configured TypedInput: its value and type, as saved in the flow. */
export interface PropertySource {
  value: string;
  type: string;
}

/** One input of a node: where the flow keeps it, and what a flow that saved nothing there reads. */
export interface InputDeclaration {
  /** The saved property holding the TypedInput's value; its type is in `<property>Type`. */
  property: string;
  /**
   * What an empty or missing saved value reads: flows saved before the input existed, and nodes the editor never
   * filled (the test helper loads no editor defaults). This is how older flows keep working.
   */
  default: PropertySource;
  /** An optional input: an empty saved value means there is none (it reads undefined) rather than the default. */
  optional?: true;
}

/** The values read for one message, by input name. */
export type InputValues<Field extends string> = Record<Field, unknown>;

/** Where a value was read from, in words a flow author recognises (`msg.event_token`), never the value itself. */
export function describeSource(source: PropertySource): string {
  switch (source.type) {
    case 'msg':
    case 'flow':
    case 'global':
      return `${source.type}.${source.value}`;
    case 'env':
      return `env ${source.value}`;
    case 'jsonata':
      return 'the JSONata expression';
    default:
      return 'the configured value';
  }
}

/** The source of one input as the flow saved it, or its default; undefined for an optional input left empty. */
function sourceOf(declaration: InputDeclaration, saved: Readonly<Record<string, unknown>>): PropertySource | undefined {
  const value = saved[declaration.property];
  const type = saved[`${declaration.property}Type`];
  if (typeof value !== 'string' || value === '') return declaration.optional ? undefined : declaration.default;
  return { value, type: typeof type === 'string' && type !== '' ? type : declaration.default.type };
}

// Types Node-RED reads synchronously; flow and global may sit in an asynchronous context store, JSONata is async.
const SYNC_TYPES = new Set(['msg', 'str', 'env']);

/**
 * The inputs of one node, decided once when the node starts (100,000 messages may wait: nothing is decided again per
 * message), and read for each message.
 */
export class NodeInputs<Field extends string> {
  private readonly sources: ReadonlyArray<readonly [Field, PropertySource | undefined]>;
  private readonly allSync: boolean;

  /** The inputs `declarations` (one per field of Field) of `node`, as the flow saved them in `saved`. */
  constructor(
    private readonly RED: NodeAPI,
    private readonly node: Node,
    declarations: Readonly<Record<string, InputDeclaration>>,
    saved: Readonly<Record<string, unknown>>,
  ) {
    this.sources = (Object.entries(declarations) as Array<[Field, InputDeclaration]>).map(([field, declaration]) => [field, sourceOf(declaration, saved)]);
    this.allSync = this.sources.every(([, source]) => source === undefined || SYNC_TYPES.has(source.type));
  }

  /** Where input `field` is read from, in a flow author's words; '' for a field the node does not read. */
  describe(field: string | undefined): string {
    const source = this.sources.find(([name]) => name === field)?.[1];
    return source === undefined ? '' : describeSource(source);
  }

  /**
   * Reads every input for `msg` and hands the values to `use`: synchronously when every type allows it (no promise
   * per input on the hot path), otherwise once all reads are done. A read that fails rejects with PROPERTY_ERROR
   * naming its field.
   */
  read<T>(msg: NodeMessage, use: (values: InputValues<Field>) => Promise<T>): Promise<T> {
    if (!this.allSync) {
      return Promise.all(this.sources.map(([field, source]) => (source === undefined ? undefined : this.evaluateAsync(field, source, msg)))).then(
        (list) => use(Object.fromEntries(this.sources.map(([field], index) => [field, list[index]])) as InputValues<Field>),
      );
    }
    const values = {} as InputValues<Field>;
    for (const [field, source] of this.sources) {
      if (source === undefined) {
        values[field] = undefined;
        continue;
      }
      try {
        values[field] = this.RED.util.evaluateNodeProperty(source.value, source.type, this.node, msg);
      } catch (error) {
        return Promise.reject(propertyError(field, source, error));
      }
    }
    return use(values);
  }

  /** Node-RED 4 needs the callback form for flow, global and jsonata, and has no promise form. */
  private evaluateAsync(field: Field, source: PropertySource, msg: NodeMessage): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const fail = (reason: unknown): void => reject(propertyError(field, source, reason));
      if (!(PROPERTY_TYPES as readonly string[]).includes(source.type)) {
        fail(`unsupported type "${source.type}"`);
        return;
      }
      try {
        this.RED.util.evaluateNodeProperty(source.value, source.type, this.node, msg, (error: Error | null, value: unknown) => {
          if (error) fail(error);
          else resolve(value);
        });
      } catch (error) {
        fail(error);
      }
    });
  }
}

/** The PROPERTY_ERROR for a TypedInput that could not be read (an unknown type, a JSONata error, a missing store). */
function propertyError(field: string, source: PropertySource, reason: unknown): Bitrix24Error {
  const detail = reason instanceof Error ? reason.message : String(reason);
  return new Bitrix24Error('PROPERTY_ERROR', `Could not read ${describeSource(source)}: ${detail}`, { description: detail, field });
}

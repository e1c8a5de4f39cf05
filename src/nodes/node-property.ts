import type { Node, NodeAPI, NodeMessage } from 'node-red';
import { Bitrix24Error } from '../bitrix24';

/** The TypedInput types the nodes accept for their input properties. */
export const PROPERTY_TYPES = ['msg', 'flow', 'global', 'str', 'json', 'env', 'jsonata'] as const;

/** A configured TypedInput: its value and type, as saved in the flow. */
export interface PropertySource {
  value: string;
  type: string;
}

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

/** The PROPERTY_ERROR for a TypedInput that could not be read. */
function propertyError(source: PropertySource, reason: unknown): Bitrix24Error {
  const detail = reason instanceof Error ? reason.message : String(reason);
  return new Bitrix24Error('PROPERTY_ERROR', `Could not read ${describeSource(source)}: ${detail}`, { description: detail });
}

/**
 * Reads a TypedInput for one message. Node-RED 4 needs the callback form for flow, global and jsonata, and has no
 * promise form; any failure (an unknown type, a JSONata error, a missing context store) becomes PROPERTY_ERROR.
 */
export function evaluateProperty(RED: NodeAPI, node: Node, source: PropertySource, msg: NodeMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const fail = (reason: unknown): void => reject(propertyError(source, reason));
    if (!(PROPERTY_TYPES as readonly string[]).includes(source.type)) {
      fail(`unsupported type "${source.type}"`);
      return;
    }
    try {
      RED.util.evaluateNodeProperty(source.value, source.type, node, msg, (error: Error | null, value: unknown) => {
        if (error) fail(error);
        else resolve(value);
      });
    } catch (error) {
      fail(error);
    }
  });
}

// Types Node-RED reads synchronously; flow and global may sit in an asynchronous context store, JSONata is async.
const SYNC_TYPES = new Set(['msg', 'str', 'env']);

/**
 * Reads several TypedInputs for one message and hands the values to `use`: synchronously when every type allows it
 * (no promise per property on the hot path), otherwise once all asynchronous reads are done. Read failures reject
 * with PROPERTY_ERROR.
 */
export function withProperties<T>(
  RED: NodeAPI,
  node: Node,
  sources: ReadonlyArray<PropertySource | undefined>,
  msg: NodeMessage,
  use: (values: unknown[]) => Promise<T>,
): Promise<T> {
  // An optional input left empty (undefined source) reads as undefined.
  if (sources.every((source) => source === undefined || SYNC_TYPES.has(source.type))) {
    const values: unknown[] = [];
    for (const source of sources) {
      if (source === undefined) {
        values.push(undefined);
        continue;
      }
      try {
        values.push(RED.util.evaluateNodeProperty(source.value, source.type, node, msg));
      } catch (error) {
        return Promise.reject(propertyError(source, error));
      }
    }
    return use(values);
  }
  return Promise.all(sources.map((source) => (source === undefined ? undefined : evaluateProperty(RED, node, source, msg)))).then(use);
}

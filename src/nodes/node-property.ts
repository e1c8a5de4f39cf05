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

/**
 * Reads a TypedInput for one message. Node-RED 4 needs the callback form for flow, global and jsonata, and has no
 * promise form; any failure (an unknown type, a JSONata error, a missing context store) becomes PROPERTY_ERROR.
 */
export function evaluateProperty(RED: NodeAPI, node: Node, source: PropertySource, msg: NodeMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const fail = (reason: unknown): void => {
      const detail = reason instanceof Error ? reason.message : String(reason);
      reject(
        new Bitrix24Error('PROPERTY_ERROR', `Could not read ${describeSource(source)}: ${detail}`, {
          description: detail,
        }),
      );
    };
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

import type { Node, NodeAPI, NodeMessage } from 'node-red';
import { Bitrix24Error } from '../bitrix24';
import { localiseError } from './localised-error';

/** What a failed message carries in `msg.error` on output 2. */
export interface MessageError {
  code: string;
  message: string;
  statusCode?: number;
  description?: string;
  /** Present and true when the call may have run on the portal even though it failed here. */
  ambiguous?: true;
}

/** The `send` Node-RED hands an input handler. */
export type Send = (msg: NodeMessage | Array<NodeMessage | null>) => void;
/** The `done` Node-RED hands an input handler. */
export type Done = (err?: Error) => void;

/** An Error for `done(err)`: Node-RED copies `code` into the Catch node's `msg.error.code`. */
export class NodeFailure extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'Bitrix24Error';
  }
}

/** The `msg.error` object for a failure, with the localised message and nothing secret. */
export function toMessageError(RED: NodeAPI, error: Bitrix24Error, source: string): MessageError {
  const result: MessageError = { code: error.code, message: localiseError(RED, error, { source }) };
  if (error.statusCode !== undefined) result.statusCode = error.statusCode;
  if (error.description !== undefined) result.description = error.description;
  if (error.ambiguous) result.ambiguous = true;
  return result;
}

/** A function that ends a failed message, given where the input it is about was read from. */
export type FailureEnding = (error: Bitrix24Error, msg: NodeMessage, send: Send, done: Done, source: string) => void;

/**
 * Builds the function that ends a failed message: on output 2 with `msg.error` when that output is wired, otherwise
 * through `done(err)` to Catch nodes with the same code, so an error is never swallowed.
 */
export function failureEnding(RED: NodeAPI, node: Node): FailureEnding {
  const wires = (node as unknown as { wires?: unknown[][] }).wires;
  const errorOutputWired = Array.isArray(wires) && Array.isArray(wires[1]) && wires[1].length > 0;
  return (error, msg, send, done, source) => {
    const messageError = toMessageError(RED, error, source);
    if (errorOutputWired) {
      msg.error = messageError;
      send([null, msg]);
      done();
    } else {
      done(new NodeFailure(messageError.message, messageError.code));
    }
  };
}

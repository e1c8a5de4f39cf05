// Reads a request body into memory with a hard cap, so a huge or endless upload cannot exhaust the process (the
// emulator, or the activity receiver node, which shares this file).

import { IncomingMessage } from 'node:http';

/** The largest body accepted (10 MB); larger ones are answered 413. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** A body read whole, or why it was not. */
export type BodyRead = { ok: true; bytes: Buffer } | { ok: false; reason: 'too-large' | 'aborted' | 'timeout' };

/**
 * Reads the whole body, or stops as soon as it is known to exceed `limitBytes`, or once `timeoutMs` have passed
 * without the whole body (Node's own request timeout is 300 s: a slow sender would hold the socket that long).
 * Never rejects.
 */
export function readRequestBody(request: IncomingMessage, limitBytes: number = MAX_BODY_BYTES, timeoutMs?: number): Promise<BodyRead> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) return Promise.resolve({ ok: false, reason: 'too-large' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let finished = false;
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => finish({ ok: false, reason: 'timeout' }), timeoutMs);
    const finish = (outcome: BodyRead): void => {
      if (finished) return;
      finished = true;
      if (timer !== undefined) clearTimeout(timer);
      if (!outcome.ok) chunks.length = 0;
      resolve(outcome);
    };
    request.on('data', (chunk: Buffer) => {
      if (finished) return;
      size += chunk.length;
      if (size > limitBytes) {
        finish({ ok: false, reason: 'too-large' });
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => finish({ ok: true, bytes: Buffer.concat(chunks, size) }));
    request.on('error', () => finish({ ok: false, reason: 'aborted' }));
    request.on('close', () => finish({ ok: false, reason: 'aborted' }));
  });
}

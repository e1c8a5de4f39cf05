// Event tokens shaped like the portal's: `<workflow id>|<activity name>|<32 alphanumerics>.<64 hex HMAC-SHA256>`.
// The signature covers everything before the dot with a key that lives only in this emulator instance, so a token
// that was forged, altered, or minted by another emulator is refused the way the portal refuses it (403).

import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** What a verified token names. */
export interface EventTokenParts {
  workflowId: string;
  activityName: string;
  eventName: string;
}

const ALPHANUMERICS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const TOKEN_SHAPE = /^([^|]+)\|([^|]+)\|([A-Za-z0-9]{32})\.([0-9a-f]{64})$/;

/** Mints and verifies signed event tokens. */
export class EventTokenSigner {
  private readonly key = randomBytes(32);

  /** A new signed token for a waiting activity. */
  mint(workflowId: string, activityName: string): string {
    const unsigned = `${workflowId}|${activityName}|${randomAlphanumerics(32)}`;
    return `${unsigned}.${this.sign(unsigned)}`;
  }

  /** The parts of a genuine token, or undefined for anything missing, malformed or badly signed. */
  verify(token: unknown): EventTokenParts | undefined {
    if (typeof token !== 'string' || token.length > 1024) return undefined;
    const match = TOKEN_SHAPE.exec(token);
    if (!match) return undefined;
    const [, workflowId = '', activityName = '', eventName = '', signature = ''] = match;
    const expected = Buffer.from(this.sign(`${workflowId}|${activityName}|${eventName}`), 'hex');
    if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) return undefined;
    return { workflowId, activityName, eventName };
  }

  private sign(unsigned: string): string {
    return createHmac('sha256', this.key).update(unsigned, 'utf8').digest('hex');
  }
}

/** A workflow id in the portal's format (PHP `uniqid('', true)`), e.g. `6551e3d2c3f0d7.78875596`. */
export function newWorkflowId(): string {
  return `${randomBytes(7).toString('hex')}.${String(randomInt(100_000_000)).padStart(8, '0')}`;
}

/** An activity name in the designer's format, e.g. `A51601_82584_96831_81132`. */
export function newActivityName(): string {
  const group = (): string => String(randomInt(100_000)).padStart(5, '0');
  return `A${group()}_${group()}_${group()}_${group()}`;
}

/** Whether `name` can be part of a token (no `|`, no spaces) and is of sane length. */
export function isValidActivityName(name: string): boolean {
  return /^[A-Za-z0-9_]{1,64}$/.test(name);
}

function randomAlphanumerics(length: number): string {
  let text = '';
  for (let i = 0; i < length; i += 1) text += ALPHANUMERICS[randomInt(ALPHANUMERICS.length)];
  return text;
}

// Authenticated encryption of a text with a key derived from Node-RED's credential secret, for secrets the package
// keeps outside flows_cred.json (rotated OAuth tokens, captured application tokens). AES-256-GCM detects tampering;
// HKDF-SHA256 with a fresh salt per seal and a purpose string of our own keeps the key apart from the one Node-RED
// uses for its credentials file.

import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { Bitrix24Error } from '../bitrix24';

/** A sealed text as stored: what is needed to open it, base64-encoded. */
export interface SealedText {
  salt: string;
  iv: string;
  tag: string;
  data: string;
}

function keyFor(secret: string, purpose: string, salt: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), salt, Buffer.from(purpose, 'utf8'), 32));
}

/** Encrypts `plain` for `purpose`; only the same secret and purpose open it again. */
export function sealText(secret: string, purpose: string, plain: string): SealedText {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFor(secret, purpose, salt), iv, { authTagLength: 16 });
  cipher.setAAD(Buffer.from(purpose, 'utf8'));
  const data = Buffer.concat([cipher.update(Buffer.from(plain, 'utf8')), cipher.final()]);
  return {
    salt: salt.toString('base64'),
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: data.toString('base64'),
  };
}

/** Decrypts what `sealText` made; throws TOKEN_STORE_UNREADABLE when the secret differs or the text was altered. */
export function openText(secret: string, purpose: string, sealed: Partial<SealedText>): string {
  try {
    // A fixed tag length: GCM would otherwise accept a truncated tag, which is easier to forge.
    const decipher = createDecipheriv('aes-256-gcm', keyFor(secret, purpose, base64(sealed.salt)), base64(sealed.iv), {
      authTagLength: 16,
    });
    decipher.setAAD(Buffer.from(purpose, 'utf8'));
    decipher.setAuthTag(base64(sealed.tag));
    return Buffer.concat([decipher.update(base64(sealed.data)), decipher.final()]).toString('utf8');
  } catch {
    throw new Bitrix24Error(
      'TOKEN_STORE_UNREADABLE',
      'A stored secret cannot be decrypted: the credential secret changed, or the stored value was altered.',
    );
  }
}

function base64(value: unknown): Buffer {
  if (typeof value !== 'string') throw new TypeError('missing field');
  return Buffer.from(value, 'base64');
}

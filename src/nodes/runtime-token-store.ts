// Where the running Node-RED keeps the package's token store: a file in its user directory, encrypted with the same
// secret that protects flows_cred.json (settings.credentialSecret, or the `_credentialSecret` Node-RED generated into
// .config.runtime.json). Whoever can read flows_cred.json and that secret can read this file too, and no one else.

import { createHash } from 'node:crypto';
import path from 'node:path';
import type { NodeAPI } from 'node-red';
import { Bitrix24Error } from '../bitrix24';
import { EncryptedFileTokenStore, TokenStore } from './encrypted-token-store';

/** The store's file name in the Node-RED user directory. */
export const TOKEN_STORE_FILE_NAME = '.bitrix24-bizproc-tokens.json';

/** The runtime settings the store depends on, as far as this package reads them. */
export interface StoreSettings {
  userDir?: unknown;
  credentialSecret?: unknown;
  get?: (name: string) => unknown;
}

// One instance per file and secret, shared by every node of the runtime, so operations on a file are serialised.
const stores = new Map<string, EncryptedFileTokenStore>();

function unavailable(reason: string, message: string): Bitrix24Error {
  return new Bitrix24Error('TOKEN_STORE_UNAVAILABLE', message, { reason });
}

/** The secret Node-RED encrypts credentials with; throws TOKEN_STORE_UNAVAILABLE when there is none to use. */
export function credentialSecretOf(settings: StoreSettings): string {
  if (settings.credentialSecret === false) {
    throw unavailable('encryption-disabled', 'Credential encryption is turned off (credentialSecret: false), so tokens cannot be stored safely.');
  }
  if (typeof settings.credentialSecret === 'string' && settings.credentialSecret !== '') return settings.credentialSecret;
  let generated: unknown;
  try {
    generated = settings.get?.('_credentialSecret');
  } catch {
    // Settings not loaded yet: treated as no secret.
  }
  if (typeof generated === 'string' && generated !== '') return generated;
  throw unavailable('no-secret', 'Node-RED has no credential secret yet, so tokens cannot be stored safely.');
}

/**
 * The runtime's token store. Throws TOKEN_STORE_UNAVAILABLE when Node-RED has no user directory or no credential
 * secret (or encryption is turned off): then nothing can be stored, and nothing can have been.
 */
export function runtimeTokenStore(RED: NodeAPI): TokenStore {
  const settings = RED.settings as unknown as StoreSettings;
  if (typeof settings.userDir !== 'string' || settings.userDir === '') {
    throw unavailable('no-user-dir', 'Node-RED has no user directory to keep the token store in.');
  }
  const file = path.join(settings.userDir, TOKEN_STORE_FILE_NAME);
  const secret = credentialSecretOf(settings);
  const id = `${file}\u0000${createHash('sha256').update(secret).digest('hex')}`;
  let store = stores.get(id);
  if (store === undefined) {
    store = new EncryptedFileTokenStore(file, secret);
    stores.set(id, store);
  }
  return store;
}

// The sealer of what the package keeps in Redis: AES-256-GCM under a key derived from Node-RED's credential secret
// (secret-box.ts), as the encrypted file store does, with a purpose of its own. Every instance that shares a portal
// through Redis must have the same `credentialSecret`, or none can open what another sealed.

import type { ValueSealer } from '../bitrix24';
import { openText, sealText, SealedText } from './secret-box';

const PURPOSE = 'node-red-contrib-bitrix24-bizproc/redis/v1';

/** A ValueSealer keyed by `secret` (the runtime's credential secret). */
export function credentialSealer(secret: string): ValueSealer {
  return {
    seal: (plain) => JSON.stringify(sealText(secret, PURPOSE, plain)),
    open(sealed) {
      let box: Partial<SealedText>;
      try {
        box = JSON.parse(sealed) as Partial<SealedText>;
      } catch {
        box = {};
      }
      return openText(secret, PURPOSE, box);
    },
  };
}

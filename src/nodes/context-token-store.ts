// A token store in a Node-RED context store of the user's choice (a shared one, such as a Redis-backed store), for
// several Node-RED instances that share one Bitrix24 application: a rotated refresh token saved by one instance is
// the one the others use next. Values are sealed with the runtime's credential secret, so the context store (and its
// backups) never holds a usable token; every instance needs the same credentialSecret.

import type { Node, NodeAPI } from 'node-red';
import { Bitrix24Error } from '../bitrix24';
import type { TokenStore } from './encrypted-token-store';
import { credentialSecretOf, StoreSettings } from './runtime-token-store';
import { openText, sealText, SealedText } from './secret-box';

const PURPOSE = 'node-red-contrib-bitrix24-bizproc/context-token/v1';
const KEY_PREFIX = 'bitrix24-bizproc-token:';

interface GlobalContext {
  get(key: string, store: string, callback: (error: Error | null | undefined, value: unknown) => void): void;
  set(key: string, value: unknown, store: string, callback: (error?: Error | null) => void): void;
}

/** A TokenStore in the global context store `storeName`, read through `node`'s context. */
export class ContextTokenStore implements TokenStore {
  private readonly context: GlobalContext;
  private readonly secret: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(RED: NodeAPI, node: Node, private readonly storeName: string) {
    this.context = node.context().global as unknown as GlobalContext;
    this.secret = credentialSecretOf(RED.settings as unknown as StoreSettings);
  }

  read(key: string): Promise<string | undefined> {
    return this.serialised(() => this.get(key));
  }

  write(key: string, value: string): Promise<void> {
    return this.serialised(() => this.set(key, sealText(this.secret, PURPOSE, value)));
  }

  writeIfAbsent(key: string, value: string): Promise<{ stored: boolean; value: string }> {
    return this.serialised(async () => {
      const existing = await this.get(key);
      if (existing !== undefined) return { stored: false, value: existing };
      await this.set(key, sealText(this.secret, PURPOSE, value));
      return { stored: true, value };
    });
  }

  remove(key: string): Promise<void> {
    return this.serialised(() => this.set(key, undefined));
  }

  private get(key: string): Promise<string | undefined> {
    return new Promise((resolve, reject) => {
      this.context.get(KEY_PREFIX + key, this.storeName, (error, value) => {
        if (error) {
          reject(new Bitrix24Error('TOKEN_STORE_UNREADABLE', `The context store "${this.storeName}" could not be read.`));
        } else if (value === undefined || value === null) {
          resolve(undefined);
        } else {
          try {
            resolve(openText(this.secret, PURPOSE, value as Partial<SealedText>));
          } catch (failure) {
            reject(failure);
          }
        }
      });
    });
  }

  private set(key: string, value: SealedText | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      this.context.set(KEY_PREFIX + key, value, this.storeName, (error) => {
        if (error) reject(new Bitrix24Error('TOKEN_STORE_WRITE_FAILED', `The context store "${this.storeName}" could not be written.`));
        else resolve();
      });
    });
  }

  /** One operation at a time within this instance; across instances the last write wins, as in the context store. */
  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

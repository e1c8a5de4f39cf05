// A small durable home for secrets the nodes learn at run time: Node-RED has no API for a node to persist a credential
// it changes itself (node-red#1055), yet an application token captured from ONAPPINSTALL, or an OAuth refresh token
// that rotates on every refresh, must survive a restart.
//
// One JSON file holds every entry, encrypted as a whole with AES-256-GCM (so tampering is detected, not just hidden).
// The key is derived with HKDF-SHA256 from the runtime's credential secret, with a fresh random salt and IV on every
// write and a purpose string of its own, so it never equals the key Node-RED uses for flows_cred.json. Writes go to a
// temporary file in the same folder (mode 0600), are flushed, then renamed over the old file: a crash leaves the old
// file or the new one, never half of one. Operations on one store run one at a time, so two captures cannot both win.

import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { Bitrix24Error } from '../bitrix24';
import { openText, sealText, SealedText } from './secret-box';

/** Secrets kept by name. Every method rejects with a Bitrix24Error (TOKEN_STORE_*) when the store cannot be used. */
export interface TokenStore {
  /** The value stored under `key`, or undefined. */
  read(key: string): Promise<string | undefined>;
  /** Stores `value` under `key`, replacing what was there (a rotated token). */
  write(key: string, value: string): Promise<void>;
  /** Stores `value` only if nothing is stored under `key` yet; says whether it did, and what is stored now. */
  writeIfAbsent(key: string, value: string): Promise<{ stored: boolean; value: string }>;
  /** Forgets `key`. */
  remove(key: string): Promise<void>;
}

const FORMAT = 'node-red-contrib-bitrix24-bizproc/token-store';
const VERSION = 1;
const PURPOSE = `${FORMAT}/v${VERSION}`;

/** The file as written: the format, and the encrypted entries with what is needed to decrypt them (base64). */
interface StoreFile extends SealedText {
  format: string;
  version: number;
}

function unreadable(message: string): Bitrix24Error {
  return new Bitrix24Error('TOKEN_STORE_UNREADABLE', message);
}

/** A TokenStore in one encrypted file. Create one instance per file and share it. */
export class EncryptedFileTokenStore implements TokenStore {
  private entries: Map<string, string> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly secret: string;

  /** A store in `file`, encrypted with a key derived from `secret` (a non-empty text, such as credentialSecret). */
  constructor(
    readonly file: string,
    secret: string,
  ) {
    if (secret === '') throw new Bitrix24Error('TOKEN_STORE_UNAVAILABLE', 'The token store needs a secret to encrypt with.', { reason: 'no-secret' });
    this.secret = secret;
  }

  read(key: string): Promise<string | undefined> {
    return this.serialised(async () => (await this.load()).get(key));
  }

  write(key: string, value: string): Promise<void> {
    return this.serialised(async () => {
      const next = new Map(await this.load());
      next.set(key, value);
      await this.save(next);
    });
  }

  writeIfAbsent(key: string, value: string): Promise<{ stored: boolean; value: string }> {
    return this.serialised(async () => {
      const current = await this.load();
      const existing = current.get(key);
      if (existing !== undefined) return { stored: false, value: existing };
      const next = new Map(current);
      next.set(key, value);
      await this.save(next);
      return { stored: true, value };
    });
  }

  remove(key: string): Promise<void> {
    return this.serialised(async () => {
      const current = await this.load();
      if (!current.has(key)) return;
      const next = new Map(current);
      next.delete(key);
      await this.save(next);
    });
  }

  /** Runs operations one after another; a failed one does not stop the next. */
  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The entries, read once and then kept: this process is the only writer of the file. */
  private async load(): Promise<Map<string, string>> {
    if (this.entries !== undefined) return this.entries;
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw unreadable('The token store file cannot be read.');
      this.entries = new Map();
      return this.entries;
    }
    // An unreadable file is never replaced: it may hold the only copy of a token, and a wrong secret is fixable.
    this.entries = this.decrypt(text);
    return this.entries;
  }

  private async save(entries: Map<string, string>): Promise<void> {
    const text = `${JSON.stringify(this.encrypt(entries))}\n`;
    const temporary = `${this.file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      const handle = await fs.open(temporary, 'wx', 0o600);
      try {
        await handle.writeFile(text, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(temporary, this.file);
    } catch {
      await fs.rm(temporary, { force: true }).catch(() => undefined);
      throw new Bitrix24Error('TOKEN_STORE_WRITE_FAILED', 'The token store file could not be written.');
    }
    this.entries = entries;
  }

  private encrypt(entries: Map<string, string>): StoreFile {
    const sealed = sealText(this.secret, PURPOSE, JSON.stringify({ entries: Object.fromEntries(entries) }));
    return { format: FORMAT, version: VERSION, ...sealed };
  }

  private decrypt(text: string): Map<string, string> {
    let file: Partial<StoreFile>;
    try {
      file = JSON.parse(text) as Partial<StoreFile>;
    } catch {
      throw unreadable('The token store file is not valid JSON.');
    }
    if (file.format !== FORMAT || file.version !== VERSION) throw unreadable('The token store file has an unknown format.');
    let parsed: { entries?: Record<string, unknown> };
    try {
      parsed = JSON.parse(openText(this.secret, PURPOSE, file)) as { entries?: Record<string, unknown> };
    } catch {
      throw unreadable('The token store file cannot be decrypted: the credential secret changed, or the file was altered.');
    }
    const entries = new Map<string, string>();
    for (const [key, value] of Object.entries(parsed.entries ?? {})) {
      if (typeof value === 'string') entries.set(key, value);
    }
    return entries;
  }
}

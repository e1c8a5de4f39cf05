/**
 * Seals what the package keeps in Redis and opens it again: Redis, its replicas and its backups then never hold a
 * usable token. In Node-RED the key comes from the credential secret, so every instance sharing a portal needs the
 * same `credentialSecret`.
 */
export interface ValueSealer {
  /** A text only `open` with the same key turns back into `plain`. */
  seal(plain: string): string;
  /** The plain text of a sealed one; throws TOKEN_STORE_UNREADABLE when the key differs or the text was altered. */
  open(sealed: string): string;
}

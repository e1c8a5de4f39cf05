// The package's public API for programs (the nodes are loaded by Node-RED, not through here): the Bitrix24 REST
// client with its queue, errors, auth kinds and calls, and the bundled emulator to run them against.
export * from './bitrix24';
export { Bitrix24Emulator, startEmulator } from './emulator';
export type { EmulatorOptions } from './emulator';

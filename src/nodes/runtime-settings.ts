// Settings the package reads from Node-RED's settings.js, each named `<nodeTypeInCamelCase><Setting>` as Node-RED
// asks, each with its default.

import type { NodeAPI } from 'node-red';

/** How long a closing node lets its calls finish by default, below Node-RED's 15 s close timeout. */
export const CLOSE_GRACE_MS = 10_000;

/** The close grace: `bitrix24PortalCloseGrace` (ms) in settings.js, else 10 s. */
export function closeGraceOf(RED: NodeAPI): number {
  const setting = (RED.settings as unknown as Record<string, unknown>).bitrix24PortalCloseGrace;
  return typeof setting === 'number' && setting >= 0 ? setting : CLOSE_GRACE_MS;
}

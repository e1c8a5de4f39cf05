// The `time` block of every successful answer. Seconds are floats (Unix time), dates are ISO 8601 with an offset and
// without fractions, like PHP's date('c'), which the portal uses.

import { OperatingSnapshot } from './operating-budget';

/** The `time` object of a Bitrix24 answer. */
export interface ResponseTime {
  start: number;
  finish: number;
  duration: number;
  processing: number;
  date_start: string;
  date_finish: string;
  operating: number;
  operating_reset_at: number;
}

/** The `time` object for work that started at `startMs` and finished at `finishMs` (clock ms). */
export function buildResponseTime(startMs: number, finishMs: number, operating: OperatingSnapshot): ResponseTime {
  const seconds = (finishMs - startMs) / 1000;
  return {
    start: startMs / 1000,
    finish: finishMs / 1000,
    duration: seconds,
    processing: seconds,
    date_start: formatPortalDate(startMs),
    date_finish: formatPortalDate(finishMs),
    operating: operating.usedSeconds,
    operating_reset_at: Math.ceil(operating.resetAtMs / 1000),
  };
}

/** A clock time as the portal prints dates, e.g. `2024-01-15T09:00:00+00:00` (always UTC, so output is reproducible). */
export function formatPortalDate(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}+00:00`;
}

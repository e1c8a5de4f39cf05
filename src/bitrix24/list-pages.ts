// Following the pages of a list method (crm.deal.list, tasks.task.list, ...): Bitrix24 answers 50 items at a time with
// `total` and `next`, the `start` of the next page. Once the first page tells the total, the other pages are asked for
// a window at a time: a window of 50 pages waits in the portal's queue together, so it travels as one `batch` (one
// request of the portal's limit for 2,500 items) and other calls in the queue still get their turn between windows.

import type { CallOptions, RestCaller } from './client';
import { RestResult } from './envelope';
import { Bitrix24Error } from './errors';
import type { MethodCall } from './method-call';

/** Pages asked for at once: what one `batch` carries. */
const PAGE_WINDOW = 50;

/** The most pages one call may collect (100,000 items at Bitrix24's 50 a page): beyond, a filter is the answer. */
export const MAX_PAGES = 2_000;

/** Every page of a list, merged: the items of all pages in order, `total`, and how many pages were fetched. */
export interface AllPagesResult extends RestResult {
  pages: number;
}

/** The call with `start` set to `start`, replacing any spelling of it the caller used. */
function pageCall(call: MethodCall, start: number): MethodCall {
  const params: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(call.params)) if (key.toLowerCase() !== 'start') params[key] = value;
  params.start = start;
  return { method: call.method, params };
}

function startOf(params: Record<string, unknown>): number {
  const key = Object.keys(params).find((name) => name.toLowerCase() === 'start');
  const value = key === undefined ? 0 : Number(params[key]);
  return Number.isSafeInteger(value) && value > 0 ? value : 0;
}

/**
 * Merges the `result` of each page in order: lists are joined; an object (`{items: [...]}`, `{tasks: [...]}`) keeps
 * the first page's fields with every list-valued field joined across pages.
 */
export function mergePages(results: readonly unknown[]): unknown {
  const [first] = results;
  if (Array.isArray(first)) return results.flatMap((page) => (Array.isArray(page) ? page : []));
  if (first === null || typeof first !== 'object') return first;
  const merged: Record<string, unknown> = { ...(first as Record<string, unknown>) };
  for (const [key, value] of Object.entries(merged)) {
    if (!Array.isArray(value)) continue;
    merged[key] = results.flatMap((page) => {
      const items = page !== null && typeof page === 'object' ? (page as Record<string, unknown>)[key] : undefined;
      return Array.isArray(items) ? items : [];
    });
  }
  return merged;
}

function tooManyPages(pages: number): Bitrix24Error {
  return new Bitrix24Error('TOO_MANY_PAGES', `The list has ${pages} pages; at most ${MAX_PAGES} are collected into one result.`, {
    description: `${pages} > ${MAX_PAGES}`,
  });
}

/**
 * Calls a list method and follows its pages through `caller` (the portal's queue), returning every page's items in
 * one result. With a `total`, the later pages go a window at a time; without one, `next` is followed page by page.
 * Throws TOO_MANY_PAGES before asking for more than MAX_PAGES pages.
 */
export async function callAllPages(caller: RestCaller, call: MethodCall, options: CallOptions = {}): Promise<AllPagesResult> {
  const first = await caller.call(call.method, call.params, options);
  const results: unknown[] = [first.result];
  const start = startOf(call.params);
  const pageSize = first.next === undefined ? 0 : first.next - start;
  if (first.next === undefined || pageSize <= 0) return { ...first, pages: 1 };
  if (first.total !== undefined) {
    const starts: number[] = [];
    for (let next = first.next; next < first.total; next += pageSize) starts.push(next);
    if (starts.length + 1 > MAX_PAGES) throw tooManyPages(starts.length + 1);
    for (let index = 0; index < starts.length; index += PAGE_WINDOW) {
      const window = starts.slice(index, index + PAGE_WINDOW).map((at) => caller.call(call.method, pageCall(call, at).params, options));
      for (const page of await Promise.all(window)) results.push(page.result);
    }
  } else {
    let next: number | undefined = first.next;
    while (next !== undefined) {
      if (results.length >= MAX_PAGES) throw tooManyPages(results.length + 1);
      const page = await caller.call(call.method, pageCall(call, next).params, options);
      results.push(page.result);
      next = page.next;
    }
  }
  const merged: AllPagesResult = { result: mergePages(results), pages: results.length };
  if (first.time !== undefined) merged.time = first.time;
  if (first.total !== undefined) merged.total = first.total;
  return merged;
}

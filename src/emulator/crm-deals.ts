// A little of the portal's CRM: deals, with the add/get/update/delete/list methods and list paging as Bitrix24 does it
// (50 a page, `total`, `next`), so flows that send any REST call through the package (the generic call node) have a
// real list to page through. Field values are kept as strings, as the portal answers them.

import { isPhpEmpty, phpArrayEntries } from './php-values';
import { RestError } from './rest-error';
import { formatPortalDate } from './response-time';

/** Bitrix24's list page size. */
export const PAGE_SIZE = 50;

/** A deal as the portal answers it: field name to string. */
export type Deal = Record<string, string>;

/** A page of a list method's items, with what the envelope carries beside `result`. */
export class PagedResult {
  /** A page of `items` out of `total`; `next` is the `start` of the next page, absent on the last. */
  constructor(
    readonly items: unknown[],
    readonly total: number,
    readonly next: number | undefined,
  ) {}
}

const notFound = (): RestError => new RestError(400, 'NOT_FOUND', 'Not found');
const badId = (): RestError => new RestError(400, 'ERROR_CORE', 'ID is not defined or invalid.');

/** The portal's deals. */
export class DealStore {
  private readonly deals = new Map<number, Deal>();
  private lastId = 0;

  /** `crm.deal.add`: FIELDS; resolves with the new id. */
  add(params: Record<string, unknown>, now: number): number {
    this.lastId += 1;
    const deal: Deal = { TITLE: '', STAGE_ID: 'NEW', OPPORTUNITY: '0.00', ...stringFields(params.FIELDS) };
    deal.ID = String(this.lastId);
    deal.DATE_CREATE = formatPortalDate(now);
    this.deals.set(this.lastId, deal);
    return this.lastId;
  }

  /** `crm.deal.get`: ID. */
  get(params: Record<string, unknown>): Deal {
    return { ...this.existing(params.ID) };
  }

  /** `crm.deal.update`: ID and FIELDS. */
  update(params: Record<string, unknown>): true {
    const deal = this.existing(params.ID);
    Object.assign(deal, stringFields(params.FIELDS), { ID: deal.ID });
    return true;
  }

  /** `crm.deal.delete`: ID. */
  delete(params: Record<string, unknown>): true {
    const deal = this.existing(params.ID);
    this.deals.delete(Number(deal.ID));
    return true;
  }

  /** `crm.deal.list`: FILTER (`FIELD`, `>FIELD`, `<=FIELD`, `!FIELD`, `%FIELD`), ORDER (one field), START. */
  list(params: Record<string, unknown>): PagedResult {
    const conditions = phpArrayEntries(params.FILTER).map(([key, value]) => condition(key, value));
    const [orderBy, direction] = phpArrayEntries(params.ORDER)[0] ?? ['ID', 'ASC'];
    const descending = String(direction).toUpperCase() === 'DESC';
    const matching = [...this.deals.values()]
      .filter((deal) => conditions.every((test) => test(deal)))
      .sort((a, b) => compare(a[orderBy.toUpperCase()], b[orderBy.toUpperCase()]) * (descending ? -1 : 1));
    const start = Math.max(0, Number.parseInt(String(params.START ?? '0'), 10) || 0);
    const page = matching.slice(start, start + PAGE_SIZE).map((deal) => ({ ...deal }));
    const next = start + PAGE_SIZE < matching.length ? start + PAGE_SIZE : undefined;
    return new PagedResult(page, matching.length, next);
  }

  /** Every deal, for tests and the page. */
  all(): Deal[] {
    return [...this.deals.values()].map((deal) => ({ ...deal }));
  }

  private existing(id: unknown): Deal {
    const number = Number(id);
    if (isPhpEmpty(id) || !Number.isSafeInteger(number) || number <= 0) throw badId();
    const deal = this.deals.get(number);
    if (deal === undefined) throw notFound();
    return deal;
  }
}

function stringFields(value: unknown): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, field] of phpArrayEntries(value)) fields[key.toUpperCase()] = typeof field === 'string' ? field : JSON.stringify(field);
  return fields;
}

/** Numbers compare as numbers (IDs, amounts), everything else as text. */
function compare(a: string | undefined, b: string | undefined): number {
  const [x, y] = [Number(a), Number(b)];
  if (a !== undefined && b !== undefined && a !== '' && b !== '' && Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return String(a ?? '').localeCompare(String(b ?? ''));
}

/** One filter entry as a test: the operator prefixes the portal's list methods understand. */
function condition(key: string, expected: unknown): (deal: Deal) => boolean {
  const match = /^(>=|<=|>|<|!=|!|%|=)?(.+)$/.exec(key) ?? ['', '', key];
  const operator = match[1] ?? '';
  const field = (match[2] ?? key).toUpperCase();
  const wanted = typeof expected === 'string' ? expected : String(expected);
  return (deal) => {
    const value = deal[field];
    const order = compare(value, wanted);
    switch (operator) {
      case '>':
        return order > 0;
      case '>=':
        return order >= 0;
      case '<':
        return order < 0;
      case '<=':
        return order <= 0;
      case '!':
      case '!=':
        return value !== wanted;
      case '%':
        return (value ?? '').toLowerCase().includes(wanted.toLowerCase());
      default:
        return value === wanted;
    }
  };
}

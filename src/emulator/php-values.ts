// The PHP value semantics the portal's answers and checks follow, applied to values decoded from JSON or forms.

/** PHP `empty()`: undefined, null, false, 0, 0.0, "", "0", and empty arrays count as empty. */
export function isPhpEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '' || value === '0') return true;
  if (Array.isArray(value)) return value.length === 0;
  // json_decode($body, true) turns `{}` into an empty array, which is empty too.
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

/** A PHP array as json_encode prints it: `[]` when empty, a list when the keys are 0..n-1 in order, else an object. */
export function phpArrayToJson(entries: ReadonlyArray<readonly [string, unknown]>): unknown[] | Record<string, unknown> {
  if (entries.every(([key], index) => key === String(index))) return entries.map(([, value]) => value);
  const result: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return result;
}

/** A decoded parameter as a PHP array's entries; scalars and missing values have none. */
export function phpArrayEntries(value: unknown): Array<[string, unknown]> {
  if (Array.isArray(value)) return value.map((item, index) => [String(index), item]);
  if (value !== null && typeof value === 'object') return Object.entries(value);
  return [];
}

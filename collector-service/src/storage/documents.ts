/** The body of a document as the versions before kept what now has a table (collection) of its own: plain JSON. */
export type DocumentBody = Record<string, unknown>;

/** Checks the address of what is stored: a tenant and an id, non-empty strings (`kind` names it in the error). */
export function checkAddress(kind: string, tenant: string, id: string): void {
  for (const [name, value] of [
    ['kind', kind],
    ['tenant', tenant],
    ['id', id],
  ] as const) {
    if (typeof value !== 'string' || value === '') throw new TypeError(`document ${name} must be a non-empty string`);
  }
}

/** An old document's body, decoded (only where a store moves it to its table or collection). */
export const decodeDocument = <T extends DocumentBody>(json: string): T => JSON.parse(json) as T;

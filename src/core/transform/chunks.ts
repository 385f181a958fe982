/** Splits a list into consecutive slices of at most `size` items (the last may be shorter); `[]` for an empty list. */
export function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

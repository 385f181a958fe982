/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF rows. Enough for mapping tables; no dependency. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // spreadsheet BOM
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (quoted) throw new Error(`row ${rows.length + 1}: unterminated quoted field (a " opens a cell that never closes)`);
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

/** One CSV cell, quoted when needed; cells starting with = + - @ are prefixed with ' (spreadsheet formula injection). */
export function csvCell(value: string): string {
  const v = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** A CSV body as rows, or the 400 answer (one issue on row 0, field `(csv)`) when it is not CSV. */
export function csvRowsOrProblem(
  body: string,
):
  | { rows: string[][]; problem?: undefined }
  | { rows?: undefined; problem: { error: string; issues: { row: number; field: string; problem: string }[] } } {
  try {
    return { rows: parseCsv(body) };
  } catch (err) {
    const message = (err as Error).message;
    return { problem: { error: `CSV: ${message}`, issues: [{ row: 0, field: '(csv)', problem: message }] } };
  }
}

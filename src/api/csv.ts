// CSV for spreadsheets: RFC 4180 quoting, CRLF line ends and a UTF-8 byte-order mark, so Excel
// opens Vietnamese names with their diacritics intact instead of guessing a legacy code page.

export const UTF8_BOM = '\uFEFF';

export type CsvCell = string | number | boolean | null | undefined;

/** Quotes a cell when it holds a separator, quote or line break; neutralises spreadsheet formulas. */
export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  // A cell starting with = + - @ is run as a formula by Excel (CSV injection); numbers are safe as they are.
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  const lines = [header, ...rows].map((r) => r.map(csvCell).join(','));
  return `${UTF8_BOM}${lines.join('\r\n')}\r\n`;
}

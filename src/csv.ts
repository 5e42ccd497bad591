// CSV lines (RFC 4180) for exports opened in spreadsheets: every cell quoted, and a cell that a spreadsheet would
// read as a formula (= + - @ tab CR) is prefixed with ' so an exported file name cannot run anything.
export function csvLine(cells: (string | number | null | undefined)[]): string {
  return `${cells
    .map((cell) => {
      let text = cell === null || cell === undefined ? '' : String(cell);
      if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
      return `"${text.replace(/"/g, '""')}"`;
    })
    .join(',')}\r\n`;
}

// Plain-text tables for people (scripts use --json): columns sized to their widest cell,
// long cells cut with an ellipsis so a row stays on one line.

export interface Column<T> {
  header: string;
  value: (row: T) => string | number | null | undefined;
  /** Longest cell before it is cut (default 48). */
  max?: number;
  align?: 'left' | 'right';
}

export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((row) => columns.map((column) => clip(text(column.value(row)), column.max ?? 48)));
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...cells.map((row) => (row[index] ?? '').length)),
  );
  const line = (values: string[]) =>
    values
      .map((value, index) =>
        columns[index]?.align === 'right' ? value.padStart(widths[index]!) : value.padEnd(widths[index]!),
      )
      .join('  ')
      .trimEnd();
  return [line(columns.map((column) => column.header)), ...cells.map(line)].join('\n');
}

/** "key: value" lines for one record. */
export function renderFields(fields: ReadonlyArray<[string, string | number | null | undefined]>): string {
  const width = Math.max(...fields.map(([key]) => key.length));
  return fields.map(([key, value]) => `${`${key}:`.padEnd(width + 1)} ${text(value)}`).join('\n');
}

function text(value: string | number | null | undefined): string {
  return value === null || value === undefined || value === '' ? '-' : String(value).replace(/\s+/g, ' ');
}

function clip(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max - 1)}…` : value;
}

/**
 * Real files for the twins' downloads: CSV (RFC 4180), newline-delimited JSON, zip archives and XLSX workbooks.
 * Zips come from fflate (small, no dependencies, the same code in Node, Bun, Deno and browsers); an XLSX is a zip of
 * the five SpreadsheetML parts a workbook needs, so Excel, LibreOffice and any xlsx reader open it.
 */
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from "fflate";

const encoder = new TextEncoder();

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** One CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180). */
function csvField(value: unknown): string {
  const text = value === undefined || value === null ? "" : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A CSV document: the header row, then one line per row; the last line ends with a newline. */
export function csv(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  return [columns, ...rows.map((row) => columns.map((c) => row[c]))].map((line) => line.map(csvField).join(",")).join("\n") + "\n";
}

/** Newline-delimited JSON: one value per line, each line ending with a newline. */
export function ndjson(values: readonly unknown[]): string {
  return values.map((v) => JSON.stringify(v) + "\n").join("");
}

/**
 * A zip of `entries` (name → bytes or text), in the given order, every entry stamped with `modified` so the same
 * content gives the same bytes. Already-compressed media is stored, everything else deflated.
 */
export function zip(entries: Record<string, Uint8Array | string>, modified: Date): Uint8Array {
  const files: Zippable = {};
  // DOS time starts in 1980; a twin clock set earlier still makes a valid zip.
  const mtime = modified.getTime() < Date.UTC(1980, 0, 2) ? new Date(Date.UTC(1980, 0, 2)) : modified;
  for (const [name, data] of Object.entries(entries)) {
    const bytes = typeof data === "string" ? strToU8(data) : data;
    files[name] = [bytes, { mtime, level: /\.(png|jpe?g|gif|zip)$/i.test(name) ? 0 : 6 }];
  }
  return zipSync(files);
}

/** The entries of a zip, or undefined when the bytes are not a readable zip. */
export function unzip(bytes: Uint8Array): Record<string, Uint8Array> | undefined {
  try {
    return unzipSync(bytes);
  } catch {
    return undefined;
  }
}

export function text(bytes: Uint8Array): string {
  return strFromU8(bytes);
}

/** XML text: escaped, and without the control characters XML 1.0 forbids. */
function xml(value: unknown): string {
  return String(value ?? "")
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "")
    .replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c]!);
}

/** A1-style column letters: 0 → A, 25 → Z, 26 → AA. */
function columnName(index: number): string {
  let name = "";
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

/**
 * An XLSX workbook with one sheet: the header row, then the rows. Cells are inline strings (no shared-strings part
 * needed), numbers stay text as they do in the CSV, so both files hold the same values.
 */
export function xlsx(sheetName: string, columns: readonly string[], rows: readonly Record<string, unknown>[], modified: Date): Uint8Array {
  const lines = [columns, ...rows.map((row) => columns.map((c) => row[c]))];
  const sheetRows = lines
    .map(
      (cells, r) =>
        `<row r="${r + 1}">${cells.map((cell, c) => `<c r="${columnName(c)}${r + 1}" t="inlineStr"><is><t xml:space="preserve">${xml(cell)}</t></is></c>`).join("")}</row>`,
    )
    .join("");
  const NS = "http://schemas.openxmlformats.org";
  return zip(
    {
      "[Content_Types].xml":
        `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="${NS}/package/2006/content-types">` +
        `<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
        `<Default Extension="xml" ContentType="application/xml"/>` +
        `<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
        `<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
        `</Types>`,
      "_rels/.rels":
        `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="${NS}/package/2006/relationships">` +
        `<Relationship Id="rId1" Type="${NS}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>` +
        `</Relationships>`,
      "xl/workbook.xml":
        `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="${NS}/spreadsheetml/2006/main" xmlns:r="${NS}/officeDocument/2006/relationships">` +
        `<sheets><sheet name="${xml(sheetName.slice(0, 31))}" sheetId="1" r:id="rId1"/></sheets></workbook>`,
      "xl/_rels/workbook.xml.rels":
        `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="${NS}/package/2006/relationships">` +
        `<Relationship Id="rId1" Type="${NS}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
        `</Relationships>`,
      "xl/worksheets/sheet1.xml":
        `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="${NS}/spreadsheetml/2006/main"><sheetData>${sheetRows}</sheetData></worksheet>`,
    },
    modified,
  );
}

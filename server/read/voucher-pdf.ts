import { readFile } from "node:fs/promises";
import path from "node:path";
import { inflateSync } from "node:zlib";
import fontkit from "@pdf-lib/fontkit";
import { PDFDocument, rgb, type PDFFont, type PDFPage } from "pdf-lib";
import QRCode from "qrcode";
import { amountInCapitals, formatYuan } from "@/contracts/chinese-format";
import type { Voucher } from "./voucher";

/*
 * The e-voucher as a PDF (issue 15): A4, one page, the same facts as the printable page, in
 * the reader's language, with a QR code of the share link when one is given.
 *
 * The font is Noto Sans SC as the @fontsource/noto-sans-sc package ships it (two of its WOFF
 * files: the Simplified Chinese subset and the Latin one), read from node_modules, never
 * fetched; pdf-lib embeds only the glyphs the page uses (about 10 kB). Text is drawn in runs:
 * each character with the Latin font when it has the glyph, else the Chinese one.
 *
 * @pdf-lib/fontkit 1.1.1 writes a subset's glyphs back to back, and when the subset is small
 * it uses the short `loca` format, which can only point at even offsets: after a glyph of odd
 * length every later glyph is shifted, and PDF readers draw nothing for it (Noto Sans SC has
 * many such glyphs; upstream fontkit pads them since 2.0, which pdf-lib cannot use).
 * `paddedFontkit` pads each glyph of the subset to an even length, as the TrueType spec asks.
 */

const FONT_DIR = path.join(process.cwd(), "node_modules", "@fontsource", "noto-sans-sc", "files");
const FONT_FILES = { chinese: "noto-sans-sc-chinese-simplified-400-normal.woff", latin: "noto-sans-sc-latin-400-normal.woff" } as const;

let fontBytes: Promise<{ chinese: Uint8Array; latin: Uint8Array }> | null = null;
function loadFonts() {
  fontBytes ??= Promise.all([readFile(path.join(FONT_DIR, FONT_FILES.chinese)), readFile(path.join(FONT_DIR, FONT_FILES.latin))]).then(([chinese, latin]) => ({
    chinese: woffToSfnt(chinese),
    latin: woffToSfnt(latin),
  }));
  return fontBytes;
}

/**
 * A WOFF 1.0 file as the plain TrueType font it wraps (W3C WOFF 1.0, section 4): each table
 * inflated once, here. fontkit reads WOFF too, but inflates a table again on every access, and
 * subsetting reads the glyf table once per glyph: 12 s for one page instead of 0.2 s.
 */
export function woffToSfnt(woff: Uint8Array): Uint8Array {
  const view = new DataView(woff.buffer, woff.byteOffset, woff.byteLength);
  if (view.getUint32(0) !== 0x774f4646) throw new Error("not a WOFF 1.0 file");
  const flavor = view.getUint32(4);
  const numTables = view.getUint16(12);
  const tables = Array.from({ length: numTables }, (_, index) => {
    const entry = 44 + index * 20;
    const offset = view.getUint32(entry + 4);
    const compLength = view.getUint32(entry + 8);
    const origLength = view.getUint32(entry + 12);
    const stored = woff.subarray(offset, offset + compLength);
    const data = compLength < origLength ? new Uint8Array(inflateSync(stored)) : stored;
    if (data.length !== origLength) throw new Error("a WOFF table does not inflate to its stated length");
    return { tag: view.getUint32(entry), checksum: view.getUint32(entry + 16), data };
  });
  const padded = (length: number) => (length + 3) & ~3;
  const headerLength = 12 + 16 * numTables;
  const sfnt = new Uint8Array(headerLength + tables.reduce((sum, table) => sum + padded(table.data.length), 0));
  const out = new DataView(sfnt.buffer);
  const entrySelector = Math.floor(Math.log2(numTables));
  out.setUint32(0, flavor);
  out.setUint16(4, numTables);
  out.setUint16(6, 16 * 2 ** entrySelector);
  out.setUint16(8, entrySelector);
  out.setUint16(10, 16 * numTables - 16 * 2 ** entrySelector);
  let offset = headerLength;
  tables.forEach((table, index) => {
    const entry = 12 + index * 16;
    out.setUint32(entry, table.tag);
    out.setUint32(entry + 4, table.checksum);
    out.setUint32(entry + 8, offset);
    out.setUint32(entry + 12, table.data.length);
    sfnt.set(table.data, offset);
    offset += padded(table.data.length);
  });
  return sfnt;
}

interface SubsetInternals {
  glyf: Uint8Array[];
  offset: number;
  _addGlyph(gid: number): number;
}

const paddedFontkit = {
  create(bytes: Uint8Array, postscriptName?: string) {
    const font = fontkit.create(bytes, postscriptName);
    const createSubset = font.createSubset.bind(font);
    font.createSubset = () => {
      const subset = createSubset() as unknown as SubsetInternals;
      const addGlyph = subset._addGlyph;
      subset._addGlyph = function (this: SubsetInternals, gid: number) {
        const index = addGlyph.call(this, gid);
        const glyph = this.glyf[index] as Uint8Array;
        if (glyph.length % 2 === 1) {
          // The subset's own Buffer class, so its encoder accepts it.
          const padded = (glyph.constructor as unknown as { alloc(size: number): Uint8Array }).alloc(glyph.length + 1);
          padded.set(glyph, 0);
          this.glyf[index] = padded;
          this.offset += 1;
        }
        return index;
      };
      return subset as unknown as ReturnType<typeof createSubset>;
    };
    return font;
  },
};

/** The words of the voucher, in the reader's language (messages/*.json `voucher`). */
export type VoucherText = (key: string, values?: Record<string, string | number>) => string;

export interface VoucherFormat {
  /** A business date YYYY-MM-DD in the reader's language (2026年12月3日). */
  date: (date: string) => string;
  dateTime: (atMs: number) => string;
  stateName: (state: string) => string;
}

class Writer {
  private y: number;
  constructor(
    private readonly page: PDFPage,
    private readonly chinese: PDFFont,
    private readonly latin: PDFFont,
    private readonly latinSet: ReadonlySet<number>,
  ) {
    this.y = page.getHeight() - 56;
  }

  /** Draws text at (x, y) in runs of one font each; returns its width. */
  text(text: string, x: number, y: number, size: number, color = rgb(0.1, 0.12, 0.16)): number {
    let cursor = x;
    for (const run of this.runs(text)) {
      this.page.drawText(run.text, { x: cursor, y, size, font: run.font, color });
      cursor += run.font.widthOfTextAtSize(run.text, size);
    }
    return cursor - x;
  }

  private runs(text: string): { text: string; font: PDFFont }[] {
    const runs: { text: string; font: PDFFont }[] = [];
    for (const char of text) {
      const font = this.latinSet.has(char.codePointAt(0) ?? 0) ? this.latin : this.chinese;
      const last = runs.at(-1);
      if (last && last.font === font) last.text += char;
      else runs.push({ text: char, font });
    }
    return runs;
  }

  heading(text: string, size: number): void {
    this.text(text, 48, this.y, size);
    this.y -= size + 10;
  }

  /** A label and its value lines, one row of the voucher. */
  row(label: string, values: readonly string[], valueSize = 11): void {
    this.text(label, 48, this.y, 9, rgb(0.4, 0.45, 0.5));
    for (const value of values) {
      this.text(value, 170, this.y, valueSize);
      this.y -= valueSize + 5;
    }
    this.y -= 6;
  }

  rule(): void {
    this.page.drawLine({ start: { x: 48, y: this.y + 8 }, end: { x: this.page.getWidth() - 48, y: this.y + 8 }, thickness: 0.5, color: rgb(0.8, 0.82, 0.85) });
    this.y -= 8;
  }

  get cursorY(): number {
    return this.y;
  }
}

/** Draws the QR code of `url` as filled squares, its top-left corner at (x, top). */
function drawQr(page: PDFPage, url: string, x: number, top: number, sizePt: number): void {
  const qr = QRCode.create(url, { errorCorrectionLevel: "M" });
  const count = qr.modules.size;
  const quiet = 4;
  const cell = sizePt / (count + 2 * quiet);
  page.drawRectangle({ x, y: top - sizePt, width: sizePt, height: sizePt, color: rgb(1, 1, 1), borderColor: rgb(0.8, 0.82, 0.85), borderWidth: 0.5 });
  for (let row = 0; row < count; row++) {
    for (let column = 0; column < count; column++) {
      if (!qr.modules.get(row, column)) continue;
      page.drawRectangle({ x: x + (column + quiet) * cell, y: top - (row + quiet + 1) * cell, width: cell, height: cell, color: rgb(0, 0, 0) });
    }
  }
}

/**
 * The voucher as a one-page A4 PDF. Its QR code carries `qr.url`: the share link anyone can
 * verify when the holder shared the voucher (`shared`), else the claim's page on the platform.
 */
export async function renderVoucherPdf(voucher: Voucher, t: VoucherText, format: VoucherFormat, qr: { url: string; shared: boolean }): Promise<Uint8Array> {
  const fonts = await loadFonts();
  const document = await PDFDocument.create();
  document.registerFontkit(paddedFontkit as unknown as Parameters<PDFDocument["registerFontkit"]>[0]);
  document.setTitle(`${t("title")} ${voucher.claimId}`);
  document.setSubject(voucher.claimId);
  document.setCreator("Double-chain");
  // A fixed date keeps the bytes a function of the voucher (and of the checkpoint it names).
  document.setCreationDate(new Date(voucher.checkpoint?.timestampMs ?? 0));
  document.setModificationDate(new Date(voucher.checkpoint?.timestampMs ?? 0));
  const chinese = await document.embedFont(fonts.chinese, { subset: true });
  const latin = await document.embedFont(fonts.latin, { subset: true });
  const page = document.addPage([595.28, 841.89]);
  const write = new Writer(page, chinese, latin, new Set(latin.getCharacterSet()));

  write.heading(t("title"), 22);
  write.row(t("claimId"), [voucher.claimId], 10);
  write.rule();
  write.row(t("issuer"), [voucher.issuer.name]);
  write.row(t("holder"), [voucher.holder.name]);
  write.row(t("faceValue"), [formatYuan(voucher.amountMinor)], 14);
  write.row(t("inCapitals"), [amountInCapitals(voucher.amountMinor)], 14);
  if (voucher.outstandingMinor !== voucher.amountMinor) write.row(t("outstanding"), [`${formatYuan(voucher.outstandingMinor)}  ${amountInCapitals(voucher.outstandingMinor)}`]);
  write.row(t("maturity"), [format.date(voucher.maturityDate)]);
  write.row(t("status"), [format.stateName(voucher.state)]);
  write.rule();
  write.row(t("place"), [t("tierValue", { tier: voucher.tier }), voucher.parentId === null ? t("isRoot") : t("parentValue", { id: voucher.parentId }), t("rootValue", { id: voucher.rootId })], 10);
  const documents = voucher.documents;
  write.row(t("documents"), documents ? [...(documents.reference ? [`${t("reference")} ${documents.reference}`] : []), `${t("invoice")} ${documents.invoiceSha256}`, `${t("contract")} ${documents.contractSha256}`, `${t("deliveryNote")} ${documents.deliveryNoteSha256}`] : [t("noDocuments")], 8);
  write.row(t("txId"), [voucher.txId], 8);
  const checkpoint = voucher.checkpoint;
  write.row(
    t("checkpoint"),
    checkpoint
      ? [t("checkpointValue", { size: checkpoint.size, at: format.dateTime(checkpoint.timestampMs) }), `${t("checkpointHash")} ${checkpoint.checkpointHash}`, `${t("cosigners")} ${checkpoint.cosigners.join(", ") || t("noCosigners")}`]
      : [t("noCheckpoint")],
    8,
  );
  write.rule();

  const qrTop = write.cursorY - 4;
  drawQr(page, qr.url, 48, qrTop, 120);
  write.text(qr.shared ? t("scanToVerify") : t("scanToOpen"), 180, qrTop - 14, 10);
  write.text(qr.url, 180, qrTop - 30, 7);
  if (!qr.shared) write.text(t("notShared"), 180, qrTop - 46, 8);
  write.text(t("footer"), 48, 40, 7, rgb(0.4, 0.45, 0.5));
  return document.save();
}

/**
 * Text with a map back to positions in the original input, so that every error can report the
 * 0-based position in the string the user actually scanned or typed, even after the normaliser
 * removed a symbology identifier, a leading GS, HIBC `*` delimiters or an HL7 escape.
 *
 * The common case (only prefixes or suffixes removed) needs no per-character map: positions are
 * then `offset + i`. A full map is built only when characters inside the text are replaced.
 */
export class MappedText {
  private constructor(
    readonly text: string,
    /** `pos[i]` is the original index of `text[i]`; `pos[text.length]` is the original end. */
    private readonly pos: readonly number[] | null,
    private readonly offset: number,
  ) {}

  static of(input: string): MappedText {
    return new MappedText(input, null, 0);
  }

  get length(): number {
    return this.text.length;
  }

  /** Original position of normalised index `i` (clamped to the end). */
  orig(i: number): number {
    const clamped = i < 0 ? 0 : i > this.text.length ? this.text.length : i;
    if (this.pos === null) return this.offset + clamped;
    return this.pos[clamped] ?? 0;
  }

  slice(start: number, end: number = this.text.length): MappedText {
    if (this.pos === null) return new MappedText(this.text.slice(start, end), null, this.offset + start);
    return new MappedText(this.text.slice(start, end), this.pos.slice(start, end + 1), 0);
  }

  private positions(): number[] {
    const out: number[] = [];
    for (let i = 0; i <= this.text.length; i++) out.push(this.orig(i));
    return out;
  }

  /** Replace every occurrence of `from` with the single character `to` (position of `from`'s start). */
  replaceAll(from: string, to: string): MappedText {
    if (from.length === 0 || !this.text.includes(from)) return this;
    const src = this.positions();
    let text = '';
    const pos: number[] = [];
    let i = 0;
    while (i < this.text.length) {
      if (this.text.startsWith(from, i)) {
        text += to;
        pos.push(src[i] ?? 0);
        i += from.length;
      } else {
        text += this.text[i];
        pos.push(src[i] ?? 0);
        i++;
      }
    }
    pos.push(src[this.text.length] ?? 0);
    return new MappedText(text, pos, 0);
  }

  /** Replace the single character at `i`. */
  setChar(i: number, ch: string): MappedText {
    return new MappedText(this.text.slice(0, i) + ch + this.text.slice(i + 1), this.pos, this.offset);
  }
}

export const GS = '\u001d';

/** Symbology identifiers (ISO/IEC 15424) that announce GS1 element strings. */
export const GS1_ELEMENT_STRING_IDS: ReadonlySet<string> = new Set([']C1', ']d2', ']Q3', ']e0', ']J1']);
/** Symbology identifiers of EAN/UPC and ITF-14: data is a bare GTIN. */
export const GS1_BARE_GTIN_IDS: ReadonlySet<string> = new Set([']E0', ']E4', ']I1']);

export interface Normalised {
  text: MappedText;
  symbologyId: string | null;
  leadingSeparatorRemoved: boolean;
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * Agency-independent clean-up: trailing CR/LF from the scanner's Enter suffix, HL7 v2 `\T\`
 * escape of `&`, the symbology identifier, one leading GS (or configured separator) and HIBC
 * caption delimiters `*…*`. Nothing else is trimmed: a HIBC check character may be a space.
 */
export function normalise(input: string, separators: readonly string[]): Normalised {
  let t = MappedText.of(input);
  let end = input.length;
  while (end > 0) {
    const c = input.charCodeAt(end - 1);
    if (c !== 10 && c !== 13) break;
    end--;
  }
  if (end !== input.length) t = t.slice(0, end);
  if (input.includes('\\T\\')) t = t.replaceAll('\\T\\', '&');

  let symbologyId: string | null = null;
  const s0 = t.text;
  if (s0.length >= 3 && s0.charCodeAt(0) === 93 /* ] */ && isAlnum(s0.charCodeAt(1)) && isAlnum(s0.charCodeAt(2))) {
    const letter = s0.charCodeAt(1);
    if ((letter >= 65 && letter <= 90) || (letter >= 97 && letter <= 122)) {
      symbologyId = s0.slice(0, 3);
      t = t.slice(3);
    }
  }

  let leadingSeparatorRemoved = false;
  if (t.text.charCodeAt(0) === 29) {
    t = t.slice(1);
    leadingSeparatorRemoved = true;
  } else {
    for (const sep of separators) {
      if (sep.length > 0 && t.text.startsWith(sep)) {
        t = t.slice(sep.length);
        leadingSeparatorRemoved = true;
        break;
      }
    }
  }

  // HIBC caption delimiters (M43): `*+…*`; an underscore stands for a space check character.
  const s = t.text;
  if (s.length >= 3 && s.charCodeAt(0) === 42 /* * */ && s.charCodeAt(1) === 43 /* + */ && s.charCodeAt(s.length - 1) === 42) {
    t = t.slice(1, t.length - 1);
  }
  if (t.text.charCodeAt(0) === 43 && t.text.charCodeAt(t.length - 1) === 95 /* _ */) {
    t = t.setChar(t.length - 1, ' ');
  }
  return { text: t, symbologyId, leadingSeparatorRemoved };
}

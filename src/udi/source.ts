/**
 * Text with a map back to positions in the original input, so that every error can report the
 * 0-based position in the string the user actually scanned or typed, even after the normaliser
 * removed a symbology identifier, a leading GS, HIBC `*` delimiters or an HL7 escape.
 */
export class MappedText {
  /** `pos[i]` is the original index of `text[i]`; `pos[text.length]` is the original end. */
  private constructor(
    readonly text: string,
    private readonly pos: readonly number[],
  ) {}

  static of(input: string): MappedText {
    const pos: number[] = [];
    for (let i = 0; i <= input.length; i++) pos.push(i);
    return new MappedText(input, pos);
  }

  get length(): number {
    return this.text.length;
  }

  /** Original position of normalised index `i` (clamped to the end). */
  orig(i: number): number {
    const clamped = Math.max(0, Math.min(i, this.text.length));
    return this.pos[clamped] ?? 0;
  }

  slice(start: number, end: number = this.text.length): MappedText {
    return new MappedText(this.text.slice(start, end), this.pos.slice(start, end + 1));
  }

  /** Replace every occurrence of `from` with the single character `to` (position of `from`'s start). */
  replaceAll(from: string, to: string): MappedText {
    if (from.length === 0 || !this.text.includes(from)) return this;
    let text = '';
    const pos: number[] = [];
    let i = 0;
    while (i < this.text.length) {
      if (this.text.startsWith(from, i)) {
        text += to;
        pos.push(this.pos[i] ?? 0);
        i += from.length;
      } else {
        text += this.text[i];
        pos.push(this.pos[i] ?? 0);
        i++;
      }
    }
    pos.push(this.pos[this.text.length] ?? 0);
    return new MappedText(text, pos);
  }

  /** Replace the single character at `i`. */
  setChar(i: number, ch: string): MappedText {
    return new MappedText(this.text.slice(0, i) + ch + this.text.slice(i + 1), this.pos);
  }
}

export const GS = '\u001d';

/** Symbology identifiers (ISO/IEC 15424) that announce GS1 element strings. */
export const GS1_ELEMENT_STRING_IDS = new Set([']C1', ']d2', ']Q3', ']e0', ']J1']);
/** Symbology identifiers of EAN/UPC and ITF-14: data is a bare GTIN. */
export const GS1_BARE_GTIN_IDS = new Set([']E0', ']E4', ']I1']);

export interface Normalised {
  text: MappedText;
  symbologyId: string | null;
  leadingSeparatorRemoved: boolean;
}

/**
 * Agency-independent clean-up: trailing CR/LF from the scanner's Enter suffix, HL7 v2 `\T\`
 * escape of `&`, the symbology identifier, one leading GS (or configured separator) and HIBC
 * caption delimiters `*…*`. Nothing else is trimmed: a HIBC check character may be a space.
 */
export function normalise(input: string, separators: readonly string[]): Normalised {
  let t = MappedText.of(input);
  let end = t.length;
  while (end > 0 && (t.text[end - 1] === '\n' || t.text[end - 1] === '\r')) end--;
  t = t.slice(0, end);
  t = t.replaceAll('\\T\\', '&');

  let symbologyId: string | null = null;
  const sid = /^\][A-Za-z][0-9A-Za-z]/.exec(t.text);
  if (sid) {
    symbologyId = sid[0];
    t = t.slice(3);
  }

  let leadingSeparatorRemoved = false;
  for (const sep of [GS, ...separators]) {
    if (sep.length > 0 && t.text.startsWith(sep)) {
      t = t.slice(sep.length);
      leadingSeparatorRemoved = true;
      break;
    }
  }

  // HIBC caption delimiters (M43): `*+…*`; an underscore stands for a space check character.
  if (t.length >= 3 && t.text.startsWith('*+') && t.text.endsWith('*')) {
    t = t.slice(1, t.length - 1);
  }
  if (t.text.startsWith('+') && t.text.endsWith('_')) {
    t = t.setChar(t.length - 1, ' ');
  }
  return { text: t, symbologyId, leadingSeparatorRemoved };
}

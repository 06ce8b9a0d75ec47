/**
 * Splits assembly source into statements the way GNU as and llvm-mc do:
 * comments (an architecture's line-comment characters, `//`, and `/* … *\/`
 * across lines) are dropped, `;` separates statements on one line, and
 * neither counts inside a string (`"…"`) or a character literal (`'a'`).
 *
 * Lines that start with `#` need care, because C-preprocessor output and
 * sources meant for it both have them:
 * - `# 12 "file.S"` (a line marker, as `cpp` writes) names the file and the
 *   line number of the next line; errors then point into the original file,
 *   as llvm-mc's do;
 * - where `#` is not the comment character (ARM), a statement that starts
 *   with a preprocessor directive (`#include`, `#define`, `#ifdef`, …) is an
 *   error saying the file needs the C preprocessor first; any other `#` at
 *   the start of a statement starts a comment, as in llvm-mc;
 * - where `#` is the comment character (PowerPC), such a line is a comment,
 *   as llvm-mc `-triple=powerpc64` reads it; the scanner remembers the names
 *   of `#define`s it skipped, so that an undefined symbol can say why.
 *
 * The scanner walks the text with indices (no per-line array), so memory
 * stays bounded by the statement being looked at.
 *
 * @module
 */

/** How `#` is read. */
export type HashComments = 'statement-start' | 'anywhere';

/** What the scanner needs to know about an architecture's comments. */
export interface CommentSyntax {
  /** Line-comment starters besides `//` (`@` on ARM, `#` on PowerPC). */
  readonly lineComments: readonly string[];
  /** Whether `#` starts a comment anywhere, or only at the start of a statement. */
  readonly hash: HashComments;
}

/**
 * Receives each statement: its text (comments removed, not trimmed), the
 * 1-based physical line and column of its first character, and the line and
 * file a message should name (from the last `# N "file"` line marker; the
 * file is `undefined` before any marker). Returning `false` stops the scan.
 */
export type StatementVisitor = (text: string, physicalLine: number, column: number, line: number, file: string | undefined) => boolean | void;

/** The C-preprocessor directives that get a clear error (or, where `#` is a comment, a remembered name). */
const CPP_DIRECTIVES = new Set(['include', 'include_next', 'import', 'define', 'undef', 'if', 'ifdef', 'ifndef', 'elif', 'elifdef', 'elifndef', 'else', 'endif', 'error', 'warning', 'pragma', 'line', 'ident']);

/** An error found by the scanner; the assembler turns it into an `AssemblyError`. */
export class ScanError extends Error {
  /** Always `'ScanError'`. */
  override readonly name = 'ScanError';
  /**
   * @param message what is wrong.
   * @param line 1-based line (from the last line marker, if any).
   * @param column 1-based column.
   * @param file the file a line marker named, if any.
   */
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
    readonly file: string | undefined,
  ) {
    super(message);
  }
}

/** What one scan found besides statements. */
export interface ScanResult {
  /** Names given by `#define` lines that were read as comments, with their physical line. */
  readonly skippedDefines: ReadonlyMap<string, number>;
}

/**
 * Walk `source`, calling `visit` for each statement in order; `visit`
 * returning `false` stops the scan (`.end`). Throws {@link ScanError} for a
 * C-preprocessor directive where `#` is not a comment; `#define` lines read
 * as comments are added to `skippedDefines`.
 */
export function scanStatements(source: string, syntax: CommentSyntax, visit: StatementVisitor, skippedDefines: Map<string, number> = new Map()): ScanResult {
  let file: string | undefined;
  let lineDelta = 0; // logical line = physical line + lineDelta
  const hashAnywhere = syntax.hash === 'anywhere';
  const starters = syntax.lineComments.filter((c) => c !== '#' && c !== '//');
  // A line with none of these characters is one statement as it stands (most lines).
  // (Where `#` counts only at the start of a statement, a line that does not start with one needs no closer look for it.)
  const special = new RegExp(`[;"'/${hashAnywhere ? '#' : ''}${starters.map((c) => c[0]!.replace(/[\\\]^-]/g, '\\$&')).join('')}]`);
  const hashFirst = /^\s*#/;
  let inBlockComment = false;
  let lineNumber = 0;
  let position = 0;
  const length = source.length;
  for (;;) {
    lineNumber++;
    let end = source.indexOf('\n', position);
    if (end < 0) end = length;
    const lineEnd = end > position && source.charCodeAt(end - 1) === 13 ? end - 1 : end;
    const line = source.slice(position, lineEnd);
    const last = end >= length;
    position = end + 1;
    let i = 0;
    if (inBlockComment) {
      const close = line.indexOf('*/');
      if (close < 0) {
        if (last) break;
        continue;
      }
      inBlockComment = false;
      i = close + 2;
    } else if (!special.test(line) && (hashAnywhere || !hashFirst.test(line))) {
      if (line.trim() !== '' && visit(line, lineNumber, 1, lineNumber + lineDelta, file) === false) break;
      if (last) break;
      continue;
    } else if (line.charCodeAt(0) === 35 /* # */) {
      const marker = /^#\s*(?:line\s+)?(\d+)\s+"((?:[^"\\]|\\.)*)"/.exec(line);
      if (marker !== null) {
        file = marker[2]!.replace(/\\(.)/g, '$1');
        lineDelta = Number(marker[1]) - (lineNumber + 1);
        if (last) break;
        continue;
      }
    }
    // The statement being read: `text` holds the pieces before a block comment, `segment` where the current piece starts.
    let statementAt = i;
    let segment = i;
    let text = '';
    let cut = line.length;
    let stop = false;
    const flush = (piece: string): void => {
      const whole = text + piece;
      text = '';
      if (!stop && whole.trim() !== '' && visit(whole, lineNumber, statementAt + 1, lineNumber + lineDelta, file) === false) stop = true;
    };
    scan: while (i < line.length) {
      const c = line.charCodeAt(i);
      switch (c) {
        case 34 /* " */:
          i++;
          while (i < line.length && line.charCodeAt(i) !== 34) i += line.charCodeAt(i) === 92 ? 2 : 1;
          i++;
          continue;
        case 39 /* ' */: {
          // A character literal is 'c' or '\c'; a lone quote is left for the expression parser to reject.
          const width = line.charCodeAt(i + 1) === 92 ? 3 : 2;
          i += line.charCodeAt(i + width) === 39 ? width + 1 : 1;
          continue;
        }
        case 59 /* ; */:
          flush(line.slice(segment, i));
          if (stop) break scan;
          i++;
          statementAt = segment = i;
          continue;
        case 47 /* / */: {
          const next = line.charCodeAt(i + 1);
          if (next === 47) {
            cut = i;
            break scan;
          }
          if (next === 42 /* * */) {
            text += `${line.slice(segment, i)} `;
            const close = line.indexOf('*/', i + 2);
            if (close < 0) {
              // The comment runs on past this line: the statement ends here.
              inBlockComment = true;
              cut = segment = i;
              break scan;
            }
            i = close + 2;
            segment = i;
            continue;
          }
          i++;
          continue;
        }
        case 35 /* # */:
          if (hashAnywhere || (blank(text) && blankBetween(line, segment, i))) {
            const directive = /^#\s*([a-z_]+)\b\s*([A-Za-z_]\w*)?/.exec(line.slice(i));
            if (directive !== null && CPP_DIRECTIVES.has(directive[1]!)) {
              if (!hashAnywhere) {
                throw new ScanError(
                  `C preprocessor directive '#${directive[1]}': run this file through the C preprocessor first (cpp, or gcc -E) and assemble its output`,
                  lineNumber + lineDelta,
                  i + 1,
                  file,
                );
              }
              if (directive[1] === 'define' && directive[2] !== undefined && !skippedDefines.has(directive[2])) skippedDefines.set(directive[2], lineNumber);
            }
            cut = i;
            break scan;
          }
          i++;
          continue;
        default:
          if (starters.length > 0 && startsComment(line, i, starters)) {
            cut = i;
            break scan;
          }
          i++;
      }
    }
    if (!stop) flush(line.slice(segment, Math.max(segment, Math.min(cut, line.length))));
    if (stop || last) break;
  }
  return { skippedDefines };
}

function blank(text: string): boolean {
  return text.trim() === '';
}

/** Whether only blanks stand between `start` and `at`. */
function blankBetween(line: string, start: number, at: number): boolean {
  for (let i = start; i < at; i++) if (line[i] !== ' ' && line[i] !== '\t') return false;
  return true;
}

function startsComment(line: string, at: number, starters: readonly string[]): boolean {
  for (const starter of starters) if (line.startsWith(starter, at)) return true;
  return false;
}

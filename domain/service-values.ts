/**
 * Values the service accepts: what the app writes into a model package's metadata, its approval
 * description or a resource's tags is made valid by SageMaker's own patterns and lengths, so no write
 * fails with a ValidationException however a person or a role is named. Pure.
 *
 * Source: the SageMaker service model (botocore `sagemaker/2017-07-24/service-2.json`, copied in
 * /work/shared/reference/sagemaker-api-governance-shapes.json):
 * - `CustomerMetadataKey`: 1–128 characters of `[\p{L}\p{Z}\p{N}_.:\/=+\-@]`;
 * - `CustomerMetadataValue`: 1–256 characters of `[\p{L}\p{Z}\p{N}_.:\/=+\-@]`;
 * - `TagKey`: 1–128, `TagValue`: 0–256 characters of `[\p{L}\p{Z}\p{N}_.:/=+\-@]`;
 * - `ApprovalDescription`: 0–1024 characters of `.*` (Java's `.`: any character but a line
 *   terminator, `\n`, `\r`, `\u0085`, `\u2028`, `\u2029`; matched over the whole value).
 * Lengths are Java string lengths (UTF-16 code units); a value is never cut inside a surrogate pair,
 * which would leave a character no pattern matches.
 */
import { Buffer } from 'node:buffer';

/** The characters CustomerMetadataValue, CustomerMetadataKey, TagKey and TagValue allow. */
const METADATA_CHARACTER = /[\p{L}\p{Z}\p{N}_.:/=+\-@]/u;
const NOT_METADATA_CHARACTERS = /[^\p{L}\p{Z}\p{N}_.:/=+\-@]+/gu;
const LINE_TERMINATORS = /[\n\r\u0085\u2028\u2029]+/g;

export const METADATA_VALUE_MAX = 256;
export const METADATA_KEY_MAX = 128;
export const TAG_VALUE_MAX = 256;
export const APPROVAL_DESCRIPTION_MAX = 1024;

/** At most `max` UTF-16 code units of `text`, never splitting a character. */
export function cutTo(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = '';
  for (const ch of text) {
    if (out.length + ch.length > max) break;
    out += ch;
  }
  return out;
}

/** Other characters become a space; runs of them, one space; the ends are trimmed. */
function allowedOnly(text: string): string {
  return text.replace(NOT_METADATA_CHARACTERS, ' ').replace(/ {2,}/g, ' ').trim();
}

/**
 * A CustomerMetadataProperties value for text meant to be read (who approved, a stage): disallowed
 * characters (`(`, `)`, `,`, `'` …) become spaces; never empty (`-` stands for nothing).
 */
export function metadataValue(text: string): string {
  return cutTo(allowedOnly(text), METADATA_VALUE_MAX).trim() || '-';
}

/** A TagValue for text meant to be read (may be empty). */
export function tagValue(text: string): string {
  return cutTo(allowedOnly(text), TAG_VALUE_MAX).trim();
}

/** Whether `text` is a valid CustomerMetadataValue (the service's check, as a predicate). */
export function isMetadataValue(text: string): boolean {
  return (
    text.length >= 1 &&
    text.length <= METADATA_VALUE_MAX &&
    [...text].every((c) => METADATA_CHARACTER.test(c))
  );
}

/** Whether `text` is a valid TagValue. */
export function isTagValue(text: string): boolean {
  return text.length <= TAG_VALUE_MAX && [...text].every((c) => METADATA_CHARACTER.test(c));
}

/** An ApprovalDescription: one line (Java's `.` matches no line terminator), at most 1,024 characters. */
export function approvalDescription(text: string): string {
  const line = text.replace(LINE_TERMINATORS, ' ');
  if (line.length <= APPROVAL_DESCRIPTION_MAX) return line;
  const marker = ' …';
  return cutTo(line, APPROVAL_DESCRIPTION_MAX - marker.length) + marker;
}

/** Whether `text` is a valid ApprovalDescription. */
export function isApprovalDescription(text: string): boolean {
  return text.length <= APPROVAL_DESCRIPTION_MAX && !/[\n\r\u0085\u2028\u2029]/.test(text);
}

/**
 * A field of a machine-read metadata value, escaped so that it decodes to exactly what it was:
 * every character outside the allowed set, the escape `+` and the separators ` ` and `=` become
 * `+XX` (the UTF-8 bytes in hex). IAM names and SourceIdentities allow `,` (`[\w+=,.@-]`), which
 * CustomerMetadataValue does not.
 */
export function escapeField(text: string): string {
  let out = '';
  for (const ch of text) {
    if (ch !== '+' && ch !== '=' && !/\p{Z}/u.test(ch) && METADATA_CHARACTER.test(ch)) out += ch;
    else
      out += [...Buffer.from(ch, 'utf8')]
        .map((b) => `+${b.toString(16).toUpperCase().padStart(2, '0')}`)
        .join('');
  }
  return out;
}

/** The inverse of escapeField; undefined when `text` is not an escaped field. */
export function unescapeField(text: string): string | undefined {
  try {
    return text.replace(/(?:\+[0-9A-F]{2})+/g, (run) =>
      Buffer.from(
        run
          .split('+')
          .slice(1)
          .map((h) => Number.parseInt(h, 16)),
      ).toString('utf8'),
    );
  } catch {
    return undefined;
  }
}

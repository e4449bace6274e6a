// The parsed inbound mail every pure stage reads: plain data, no library types.
// Built only by adapters/mime-parser.ts; Message-IDs are stored without angle brackets,
// addresses lower-cased. Stages must treat it as read-only and never re-parse the raw source.

export interface Address {
  /** Lower-cased addr-spec, e.g. "alice@example.test". */
  readonly address: string;
  /** Display name as decoded from the header, "" when absent. */
  readonly name: string;
}

export interface AttachmentInfo {
  readonly filename: string | null;
  readonly contentType: string;
  readonly size: number;
}

/** A message/feedback-report part (RFC 5965, ARF) found somewhere in the MIME tree. */
export interface FeedbackReportPart {
  /** The part's own Feedback-Type field (abuse, fraud, virus…), lower-cased; null when it has none. */
  readonly feedbackType: string | null;
}

/** A file attached to a mail, with its content (for relaying an agent's answer to the requester). */
export interface AttachmentFile {
  readonly filename: string;
  readonly contentType: string;
  readonly content: Buffer;
}

export interface InboundMail {
  /** Message-ID without "<>", or null when the mail has none. */
  readonly messageId: string | null;
  readonly inReplyTo: readonly string[];
  readonly references: readonly string[];
  /** Decoded subject, "" when absent. */
  readonly subject: string;
  readonly from: Address | null;
  readonly replyTo: readonly Address[];
  readonly to: readonly Address[];
  readonly cc: readonly Address[];
  /** Date header as ISO 8601, or null when absent or unparseable. */
  readonly date: string | null;
  /** Header name (lower-case) → every value, in order, as decoded text. */
  readonly headers: Readonly<Record<string, readonly string[]>>;
  /** Plain-text body: the text/plain part, or the HTML part converted to text. */
  readonly text: string;
  readonly html: string | null;
  readonly attachments: readonly AttachmentInfo[];
  /** Size of the raw message in bytes. */
  readonly size: number;
  /** Envelope sender from Return-Path: "" for the null sender "<>", null when the header is absent. */
  readonly returnPath: string | null;
  /**
   * Every message/feedback-report part at any depth (an abuse complaint), present only when there is
   * at least one; the top-level Feedback-Type header, if any, is in `headers`.
   */
  readonly feedbackReports?: readonly FeedbackReportPart[];
}

/** First value of a header, or undefined. Header names are matched case-insensitively. */
export function header(mail: InboundMail, name: string): string | undefined {
  return mail.headers[name.toLowerCase()]?.[0];
}

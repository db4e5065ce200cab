import { DomainError } from '../core/index.js';

/** A wrap-up named a disposition code the tenant does not have, or has switched off. */
export class UnknownDisposition extends DomainError {
  readonly code = 'UNKNOWN_DISPOSITION';
  readonly status = 400;
  constructor(readonly disposition: string) {
    super(`"${disposition}" is not an active disposition code: GET /api/v1/disposition-codes lists them`);
    this.extra.field = 'dispositionCode';
  }
}

/** An upload over the size limit; 413, so a client can tell it from a malformed one. */
export class FileTooLarge extends DomainError {
  readonly code = 'FILE_TOO_LARGE';
  readonly status = 413;
  constructor(readonly limitBytes: number) {
    super(`the file is larger than ${limitBytes} bytes (${Math.round(limitBytes / 1024 / 1024)} MB)`);
    this.extra.limitBytes = limitBytes;
  }
}

/** An upload of a type we do not store, or whose bytes are not what its type says. */
export class UnsupportedFile extends DomainError {
  readonly code = 'UNSUPPORTED_FILE';
  readonly status = 400;
  constructor(detail: string, allowed: string[]) {
    super(detail);
    this.extra.allowed = allowed;
  }
}

/**
 * The one thing we read from multipart/form-data (RFC 7578): the first part that carries a file,
 * as a browser's FormData sends it. Whole bodies only (the caller has already bounded their size);
 * no streaming, no nested multiparts.
 */
export interface FilePart {
  filename: string | undefined;
  /** The part's own Content-Type, lower-case, without parameters. */
  contentType: string | undefined;
  data: Buffer;
}

export function boundaryOf(contentType: string): string | undefined {
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
  return m?.[1] ?? m?.[2];
}

function parameter(header: string, name: string): string | undefined {
  // RFC 5987 filename*=UTF-8''… wins over the plain one when both are there.
  const extended = new RegExp(`;\\s*${name}\\*=([^']*)'[^']*'([^;]+)`, 'i').exec(header);
  if (extended?.[2]) {
    try {
      return decodeURIComponent(extended[2].trim());
    } catch {
      // Not valid percent-encoding: fall back to the plain parameter.
    }
  }
  const plain = new RegExp(`;\\s*${name}="((?:[^"\\\\]|\\\\.)*)"|;\\s*${name}=([^;]+)`, 'i').exec(header);
  const value = plain?.[1]?.replace(/\\(.)/g, '$1') ?? plain?.[2]?.trim();
  // Browsers send the name as UTF-8 bytes and escape a quote as %22.
  return value?.replaceAll('%22', '"');
}

/** The first file part, or undefined when the body has none (or is not multipart at all). */
export function firstFilePart(body: Buffer, boundary: string): FilePart | undefined {
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString('latin1') === '--') return undefined;
    const headerEnd = body.indexOf('\r\n\r\n', start);
    if (headerEnd === -1) return undefined;
    const next = body.indexOf(Buffer.from(`\r\n--${boundary}`), headerEnd + 4);
    if (next === -1) return undefined;
    const headers = body.subarray(start, headerEnd).toString('utf8').split('\r\n');
    const header = (name: string) =>
      headers
        .find((h) => h.toLowerCase().startsWith(`${name}:`))
        ?.slice(name.length + 1)
        .trim();
    const disposition = header('content-disposition') ?? '';
    if (/;\s*filename\*?=/i.test(disposition)) {
      return {
        filename: parameter(disposition, 'filename'),
        contentType: header('content-type')?.split(';')[0]?.trim().toLowerCase(),
        data: body.subarray(headerEnd + 4, next),
      };
    }
    at = next + 2;
  }
  return undefined;
}

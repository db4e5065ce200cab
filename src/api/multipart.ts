import { Readable } from 'node:stream';
import busboy from 'busboy';

/**
 * The first file part of a multipart/form-data body (RFC 7578), as a browser's FormData sends it,
 * parsed by busboy (the parser behind @fastify/multipart). The caller has already bounded the
 * body's size, so the part is collected whole; the other parts are drained.
 */
export interface FilePart {
  filename: string | undefined;
  /** The part's own Content-Type, lower-case, without parameters. */
  contentType: string | undefined;
  data: Buffer;
}

/** The first file part, or undefined when the body has none; a malformed body is an error. */
export function firstFilePart(body: Buffer, contentType: string): Promise<FilePart | undefined> {
  return new Promise((resolve, reject) => {
    let found: FilePart | undefined;
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: { 'content-type': contentType }, defParamCharset: 'utf8' });
    } catch (err) {
      reject(err);
      return;
    }
    parser.on('file', (_field, stream, info) => {
      if (found) {
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        found ??= {
          filename: info.filename || undefined,
          contentType: info.mimeType ? info.mimeType.split(';')[0]?.trim().toLowerCase() : undefined,
          data: Buffer.concat(chunks),
        };
      });
    });
    parser.on('error', reject);
    parser.on('close', () => resolve(found));
    Readable.from([body]).pipe(parser);
  });
}

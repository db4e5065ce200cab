import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { STORED_FILE_NAME } from '../channels/webchat/index.js';
import { findConversation, type ReplyFile } from '../conversations/index.js';
import { InvalidInput, isId, NotFound } from '../core/index.js';
import { FileTooLarge, UnsupportedFile } from '../workspace/index.js';
import { actorOf } from './auth.js';
import type { ApiContext } from './context.js';
import { firstFilePart } from './multipart.js';
import { IdParams, withProblems } from './schemas.js';
import { ALLOWED, BY_EXT, uploadsDir } from './webchat-files.js';
import { publicBase } from './webchat-scope.js';
import { perUser } from './workspace-conversation.js';

/**
 * Files agents send: `POST /api/v1/conversations/:id/attachments` stores one (multipart/form-data
 * with a file part, as a browser's FormData sends it, or the raw bytes with their Content-Type and
 * an `X-Filename` header), in the same upload store and with the same type rules as web chat
 * visitors' files (webchat-files.ts). The agent then sends it with `POST …/messages` and
 * `contentType: "file" | "image"`. `GET /files/<tenant>/<name>` serves it to whoever has the link:
 * the 128-bit random name is the capability, as for visitors' files.
 */
export const MAX_AGENT_FILE_BYTES = 10 * 1024 * 1024;
/** Room for the multipart headers and boundaries around the file. */
const MULTIPART_SLACK = 64 * 1024;
const ALLOWED_TYPES = Object.keys(ALLOWED);
const AGENT_DIR = 'agent';
const FILE_PATH = /^\/files\/([0-9a-f-]{36})\/([a-f0-9]{32}\.[a-z0-9]{1,5})$/;

const Attachment = Type.Object({
  url: Type.String({ description: 'absolute; send it as the payload of a file or image message' }),
  name: Type.String(),
  size: Type.Integer(),
  contentType: Type.String(),
});

function readLimited(stream: Readable, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stream.removeAllListeners('data');
        stream.resume();
        reject(new FileTooLarge(MAX_AGENT_FILE_BYTES));
        return;
      }
      chunks.push(chunk);
    });
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('error', reject);
  });
}

function cleanFilename(name: string | undefined, fallback: string): string {
  // No paths, no control characters: the name is only ever shown and offered as a download name.
  const base =
    (name ?? '')
      .split(/[\\/]/)
      .pop()
      ?.replace(/[\p{Cc}"]/gu, '')
      .trim() ?? '';
  return base.slice(0, 200) || fallback;
}

function mediaTypeOf(header: string | undefined): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** The file in the request: the multipart file part, or the raw body. */
async function uploadedFile(
  request: FastifyRequest,
): Promise<{ data: Buffer; type: string; filename: string | undefined }> {
  const declared = mediaTypeOf(request.headers['content-type']);
  const body = request.body;
  if (!Buffer.isBuffer(body) || body.length === 0)
    throw new InvalidInput('send the file as multipart/form-data or as the raw body', 'body');
  if (declared === 'multipart/form-data') {
    const part = await firstFilePart(body, String(request.headers['content-type'])).catch((err: Error) => {
      throw new InvalidInput(`the multipart body could not be read: ${err.message}`, 'body');
    });
    if (!part) throw new InvalidInput('the multipart body has no file part', 'file');
    const byName = BY_EXT.get(part.filename?.split('.').pop()?.toLowerCase() ?? '');
    const type =
      part.contentType && ALLOWED[part.contentType] ? part.contentType : (byName ?? part.contentType ?? '');
    return { data: part.data, type, filename: part.filename };
  }
  const header = request.headers['x-filename'];
  let filename = typeof header === 'string' ? header : (request.query as { name?: string }).name;
  try {
    filename = filename && decodeURIComponent(filename);
  } catch {
    // Not percent-encoded after all: keep it as sent.
  }
  return { data: body, type: declared, filename };
}

/**
 * The stored upload a file message names, checked: our own `/files/<tenant>/<name>` URL, of the
 * caller's tenant, still on disk. Size and type come from the file, not from what the client says.
 */
export async function storedAttachment(
  ctx: ApiContext,
  tenantId: string,
  payload: { url?: unknown; name?: unknown },
): Promise<ReplyFile> {
  let pathname = '';
  try {
    pathname = new URL(String(payload.url), 'http://localhost').pathname;
  } catch {
    // Reported below like any other URL that is not ours.
  }
  const m = FILE_PATH.exec(pathname);
  const type = m && BY_EXT.get(m[2]?.split('.').pop() ?? '');
  if (!m || m[1] !== tenantId || !type)
    throw new InvalidInput(
      'payload.url must be a file uploaded with POST /api/v1/conversations/:id/attachments',
      'payload.url',
    );
  const info = await stat(path.join(uploadsDir(ctx, tenantId, AGENT_DIR), m[2] as string)).catch(
    () => undefined,
  );
  if (!info?.isFile())
    throw new InvalidInput('the uploaded file is no longer there; upload it again', 'payload.url');
  return {
    url: String(payload.url),
    name: cleanFilename(typeof payload.name === 'string' ? payload.name : undefined, m[2] as string),
    size: info.size,
    contentType: type,
  };
}

export async function attachmentRoutes(parent: FastifyInstance, { ctx }: { ctx: ApiContext }): Promise<void> {
  // Own scope: this parser takes any body as bytes, which must not reach the JSON routes.
  await parent.register(async (scope) => {
    const app = scope.withTypeProvider<TypeBoxTypeProvider>();
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', (request, payload, done) => {
      const declared = Number(request.headers['content-length']);
      const limit = MAX_AGENT_FILE_BYTES + MULTIPART_SLACK;
      // Refused before reading a byte when the client says how much is coming.
      if (declared > limit) return done(new FileTooLarge(MAX_AGENT_FILE_BYTES), undefined);
      readLimited(payload, limit).then(
        (body) => done(null, body),
        (err: Error) => done(err, undefined),
      );
    });

    app.post(
      '/api/v1/conversations/:id/attachments',
      {
        config: { access: 'agent', rateLimit: { max: 60, timeWindow: '1 minute', keyGenerator: perUser } },
        schema: {
          tags: ['conversations'],
          summary: 'Upload a file to send in the conversation',
          description: `multipart/form-data with one file part, or the raw bytes with their Content-Type and an X-Filename header (percent-encoded). Types: ${ALLOWED_TYPES.join(', ')}; at most ${MAX_AGENT_FILE_BYTES / 1024 / 1024} MB (413 FILE_TOO_LARGE). The content must match the type (400 UNSUPPORTED_FILE). Then POST …/messages with contentType "file" (or "image") and this answer as the payload.`,
          consumes: ['multipart/form-data', ...ALLOWED_TYPES],
          params: IdParams,
          headers: Type.Object({ 'x-filename': Type.Optional(Type.String({ maxLength: 1000 })) }),
          body: Type.Unsafe<Buffer>({ description: 'the file (or a multipart form with it)' }),
          response: withProblems({ 201: Attachment }),
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        await findConversation(ctx.storage.db, actor.tenantId, request.params.id);
        const file = await uploadedFile(request);
        const allowed = ALLOWED[file.type];
        if (!allowed)
          throw new UnsupportedFile(`${file.type || 'a file without a type'} cannot be sent`, ALLOWED_TYPES);
        if (file.data.length === 0) throw new InvalidInput('the file is empty', 'file');
        if (file.data.length > MAX_AGENT_FILE_BYTES) throw new FileTooLarge(MAX_AGENT_FILE_BYTES);
        if (!allowed.looksRight(file.data))
          throw new UnsupportedFile(`the content is not ${file.type}`, ALLOWED_TYPES);
        const stored = `${randomBytes(16).toString('hex')}.${allowed.ext}`;
        const dir = uploadsDir(ctx, actor.tenantId, AGENT_DIR);
        await mkdir(dir, { recursive: true });
        await writeFile(path.join(dir, stored), file.data, { flag: 'wx' });
        const name = cleanFilename(file.filename, stored);
        const url = new URL(`/files/${actor.tenantId}/${stored}`, publicBase(ctx, request));
        url.searchParams.set('name', name);
        return reply
          .status(201)
          .send({ url: url.toString(), name, size: file.data.length, contentType: file.type });
      },
    );

    app.get('/files/:tenantId/:name', { schema: { hide: true } }, async (request, reply) => {
      const { tenantId, name } = request.params as { tenantId: string; name: string };
      const type = BY_EXT.get(name.split('.').pop() ?? '');
      if (!isId(tenantId) || !STORED_FILE_NAME.test(name) || !type) throw new NotFound('file', name);
      const file = path.join(uploadsDir(ctx, tenantId, AGENT_DIR), name);
      const info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) throw new NotFound('file', name);
      const download = cleanFilename((request.query as { name?: string }).name, name);
      return (
        reply
          .type(type === 'text/plain' ? 'text/plain; charset=utf-8' : type)
          .header('content-length', info.size)
          .header('cache-control', 'private, max-age=86400, immutable')
          .header(
            'content-disposition',
            `${type.startsWith('image/') ? 'inline' : 'attachment'}; filename="${name}"; filename*=UTF-8''${encodeURIComponent(download)}`,
          )
          .header('content-security-policy', "default-src 'none'; sandbox")
          // Shown by the widget on the customer's site, another origin.
          .header('cross-origin-resource-policy', 'cross-origin')
          .send(createReadStream(file))
      );
    });
  });
}

import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { STORED_FILE_NAME } from '../channels/webchat/index.js';
import { InvalidInput, NotFound } from '../core/index.js';
import type { ApiContext } from './context.js';
import { channelOf, publicBase, visitorOf } from './webchat-scope.js';

/**
 * Files a visitor sends: `POST /webchat/<id>/upload?token=…&name=<file name>` with the file as the
 * body and its media type as Content-Type; stored under DATA_DIR/uploads/<tenant>/<channel>/ with a
 * random name; the visitor then sends a `file` frame naming it. `GET /webchat/<id>/files/<name>`
 * serves it back: the 128-bit random name is the capability (an <img> cannot send a token).
 */
export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

/** The content must match the declared type, so an "image" is never a page or a script. */
export const ALLOWED: Record<string, { ext: string; looksRight: (b: Buffer) => boolean }> = {
  'image/png': {
    ext: 'png',
    looksRight: (b) => b.subarray(0, 8).equals(Buffer.from('89504e470d0a1a0a', 'hex')),
  },
  'image/jpeg': { ext: 'jpg', looksRight: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  'image/gif': { ext: 'gif', looksRight: (b) => /^GIF8[79]a/.test(b.subarray(0, 6).toString('latin1')) },
  'image/webp': {
    ext: 'webp',
    looksRight: (b) =>
      b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
  },
  'application/pdf': { ext: 'pdf', looksRight: (b) => b.subarray(0, 5).toString('latin1') === '%PDF-' },
  'text/plain': { ext: 'txt', looksRight: (b) => !b.includes(0) },
};
export const BY_EXT = new Map(Object.entries(ALLOWED).map(([type, { ext }]) => [ext, type]));

export function uploadsDir(ctx: ApiContext, tenantId: string, channelId: string): string {
  // In-memory test instances have no data directory.
  const dataDir = ctx.config.dataDir || path.join(os.tmpdir(), 'switchboard');
  return path.join(dataDir, 'uploads', tenantId, channelId);
}

export async function webchatFileRoutes(parent: FastifyInstance, ctx: ApiContext): Promise<void> {
  // Own scope: these raw-body parsers must not apply to the JSON routes beside them.
  await parent.register(async (app) => {
    app.addContentTypeParser(
      Object.keys(ALLOWED),
      { parseAs: 'buffer', bodyLimit: MAX_UPLOAD_BYTES },
      (_r, body, done) => done(null, body),
    );

    app.post(
      '/webchat/:channelId/upload',
      {
        bodyLimit: MAX_UPLOAD_BYTES,
        config: { rateLimit: { max: 20, timeWindow: '1 minute' } },
        schema: { hide: true },
      },
      async (request, reply) => {
        const { row } = visitorOf(request);
        const type =
          String(request.headers['content-type'] ?? '')
            .split(';')[0]
            ?.trim()
            .toLowerCase() ?? '';
        const allowed = ALLOWED[type];
        const body = request.body;
        if (!allowed || !Buffer.isBuffer(body))
          throw new InvalidInput(`${type || 'this type'} cannot be uploaded`, 'content-type');
        if (body.length === 0) throw new InvalidInput('the file is empty', 'body');
        if (!allowed.looksRight(body)) throw new InvalidInput(`the content is not ${type}`, 'body');
        const name = `${randomBytes(16).toString('hex')}.${allowed.ext}`;
        const dir = uploadsDir(ctx, row.tenant_id, row.id);
        await mkdir(dir, { recursive: true });
        await writeFile(path.join(dir, name), body, { flag: 'wx' });
        const base = publicBase(ctx, request);
        const filename = (request.query as { name?: string }).name?.slice(0, 200);
        return reply.status(201).send({
          name,
          url: new URL(`/webchat/${row.id}/files/${name}`, base).toString(),
          mimeType: type,
          size: body.length,
          ...(filename && { filename }),
        });
      },
    );

    app.get('/webchat/:channelId/files/:name', { schema: { hide: true } }, async (request, reply) => {
      const { row } = channelOf(request);
      const { name } = request.params as { name: string };
      const type = BY_EXT.get(name.split('.').pop() ?? '');
      if (!STORED_FILE_NAME.test(name) || !type) throw new NotFound('file', name);
      const file = path.join(uploadsDir(ctx, row.tenant_id, row.id), name);
      const info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) throw new NotFound('file', name);
      return reply
        .type(type === 'text/plain' ? 'text/plain; charset=utf-8' : type)
        .header('content-length', info.size)
        .header('cache-control', 'private, max-age=86400, immutable')
        .header(
          'content-disposition',
          type.startsWith('image/') ? 'inline' : `attachment; filename="${name}"`,
        )
        .header('content-security-policy', "default-src 'none'; sandbox")
        .send(createReadStream(file));
    });
  });
}

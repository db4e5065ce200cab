// eSpeak NG (the npm WASM build) in a worker thread: one synthesis takes a few hundred ms of
// CPU, which must not stall the event loop that paces calls' RTP. Plain JavaScript because a
// worker does not inherit the tsx loader. The module is compiled once; each request runs the
// espeak-ng command line in a fresh instance (the build exports no way to call main twice).
// Messages in: { id, text, voice, rate }; out: { id, wav, ms } or { id, error }.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parentPort } from 'node:worker_threads';
import ESpeakNg from 'espeak-ng';

const moduleUrl = import.meta.resolve('espeak-ng');
const compiled = readFile(fileURLToPath(new URL('espeak-ng.wasm', moduleUrl))).then((bytes) =>
  WebAssembly.compile(bytes),
);

async function synthesize({ text, voice, rate }) {
  const wasm = await compiled;
  const messages = [];
  const es = await ESpeakNg({
    // Text from a file, never the command line: a prompt starting with "-" stays text.
    arguments: ['-v', voice, '-s', String(rate), '-w', '/out.wav', '-f', '/in.txt'],
    preRun: [(m) => m.FS.writeFile('/in.txt', text)],
    print: () => {},
    printErr: (line) => {
      if (!line.includes('keepRuntimeAlive')) messages.push(line);
    },
    instantiateWasm(imports, done) {
      WebAssembly.instantiate(wasm, imports).then((instance) => done(instance));
      return {};
    },
  });
  try {
    return es.FS.readFile('/out.wav');
  } catch {
    throw new Error(messages.join(' ').trim() || 'eSpeak NG wrote no audio');
  }
}

parentPort.on('message', async (req) => {
  const started = performance.now();
  try {
    const wav = await synthesize(req);
    const copy = wav.slice();
    parentPort.postMessage({ id: req.id, wav: copy, ms: performance.now() - started }, [copy.buffer]);
  } catch (err) {
    parentPort.postMessage({ id: req.id, error: err instanceof Error ? err.message : String(err) });
  }
});

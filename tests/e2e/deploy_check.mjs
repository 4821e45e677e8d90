// deploy_check.mjs — validators for the engines' files, run by
// test_deploy_examples.sh with NODE_PATH at a cached npm install:
//   workflow FILE   GitHub's own workflow parser (@actions/workflow-parser,
//                   the one behind the Actions VS Code extension): every
//                   error it reports fails
//   k8s FILE…       each document through kubernetes-models' schema
//                   validation of its kind (Job: batch/v1)
// Exit 1 with the errors, naming the file.
import { readFileSync } from "node:fs";
import { createRequire, register } from "node:module";
const require = createRequire(process.env.NODE_PATH + "/");
const [mode, ...files] = process.argv.slice(2);
let bad = 0;
const fail = (f, m) => { console.error(`${f}: ${m}`); bad = 1; };

if (mode === "workflow") {
  // The parser imports its JSON schema bare, as bundlers allow; tell node it is JSON.
  register("data:text/javascript," + encodeURIComponent(
    'export async function load(u, c, next) { return next(u, u.endsWith(".json") ? ' +
    '{ ...c, importAttributes: { type: "json" } } : c); }'));
  const wp = await import(process.env.NODE_PATH + "/@actions/workflow-parser/dist/index.js");
  for (const f of files) {
    const r = wp.parseWorkflow({ name: f, content: readFileSync(f, "utf8") }, new wp.NoOperationTraceWriter());
    for (const e of r.context.errors.getErrors()) fail(f, e.message);
    if (!r.value) fail(f, "no workflow parsed");
    else {
      const t = await wp.convertWorkflowTemplate(r.context, r.value);
      for (const e of t.errors || []) fail(f, e.Message || e.message || JSON.stringify(e));
      if (!t.jobs || t.jobs.length === 0) fail(f, "no jobs");
    }
  }
} else if (mode === "k8s") {
  const yaml = require("js-yaml");
  const { Job } = require("kubernetes-models/batch/v1");
  for (const f of files) {
    const text = readFileSync(f, "utf8");
    const docs = f.endsWith(".json") ? [JSON.parse(text)] : yaml.loadAll(text);
    for (const d of docs) {
      if (d.apiVersion !== "batch/v1" || d.kind !== "Job") { fail(f, `not a batch/v1 Job: ${d.apiVersion} ${d.kind}`); continue; }
      try { new Job(d).validate(); } catch (e) { fail(f, e.message); }
      if (d.spec.completionMode === "Indexed" && !(d.spec.completions > 0)) fail(f, "an Indexed Job without completions");
    }
  }
} else {
  fail("deploy_check", `unknown mode ${mode}`);
}
process.exit(bad);

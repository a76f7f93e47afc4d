// The Grafana dashboards of deploy/monitoring, checked offline: each is valid
// JSON with unique panel ids, every panel queries Prometheus, and every
// metric its queries name is one the services export — found in the source
// (common/, services/) as a metric name literal — so a renamed gauge cannot
// leave a panel silently empty.
//   node dashboards.mjs REPO_ROOT DASHBOARD.json...
import fs from "node:fs";
import path from "node:path";

const [root, ...files] = process.argv.slice(2);
if (!root || files.length === 0) {
  console.error("usage: node dashboards.mjs REPO_ROOT DASHBOARD.json...");
  process.exit(2);
}

// Metric names the code registers: "touyan_…" literals and the RED family's
// .Name("grpc_server_…") calls.
const exported = new Set();
const walk = (dir) => {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (/\.(cc|h)$/.test(e.name)) {
      for (const m of fs.readFileSync(p, "utf8").matchAll(/"((?:touyan|grpc_server)_[a-z0-9_]+)"/g)) {
        exported.add(m[1]);
      }
    }
  }
};
for (const d of ["common", "services"]) walk(path.join(root, d));
// A histogram's series carry suffixes.
const known = (name) =>
  exported.has(name) || ["_bucket", "_sum", "_count"].some((s) => name.endsWith(s) && exported.has(name.slice(0, -s.length)));

const problems = [];
let panels = 0;
for (const f of files) {
  let d;
  try {
    d = JSON.parse(fs.readFileSync(f, "utf8"));
  } catch (e) {
    problems.push(`${f}: not valid JSON (${e.message})`);
    continue;
  }
  if (!d.uid || !d.title) problems.push(`${f}: no uid or title`);
  const ids = new Set();
  for (const p of d.panels ?? []) {
    panels++;
    const where = `${path.basename(f)} panel ${p.id} "${p.title}"`;
    if (ids.has(p.id)) problems.push(`${where}: duplicate id`);
    ids.add(p.id);
    const targets = p.targets ?? [];
    if (targets.length === 0) problems.push(`${where}: no query`);
    for (const t of targets) {
      if (!t.expr) problems.push(`${where}: a target without expr`);
      for (const m of (t.expr ?? "").matchAll(/\b((?:touyan|grpc_server)_[a-z0-9_]+)\b/g)) {
        if (!known(m[1])) problems.push(`${where}: ${m[1]} is not a metric the services export`);
      }
      if (!/\$namespace/.test(t.expr ?? "")) problems.push(`${where}: the query ignores $namespace`);
    }
  }
  if ((d.panels ?? []).length === 0) problems.push(`${f}: no panels`);
}
for (const p of problems) console.error("  " + p);
console.error(`dashboards: ${files.length} dashboards, ${panels} panels, ${exported.size} exported metrics`);
process.exit(problems.length ? 1 : 0);

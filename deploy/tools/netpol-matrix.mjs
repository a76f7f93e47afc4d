// The network policies of rendered overlays, proved by a truth table: a
// model of the cluster (every Touyan pod as the manifests make it, and the
// pods around it with the labels their operators give them) and every
// connection that must be allowed or denied, per port.
//
// usage: node netpol-matrix.mjs RENDERED.yaml...   (the city's overlay and
// counties' together, or the dev overlay alone). Prints each cell that
// differs from the expectation and exits 1 if any does.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { allowed } from "./netpol.mjs";

const files = process.argv.slice(2);
const objects = files.flatMap((f) => parseAllDocuments(readFileSync(f, "utf8")).map((d) => d.toJS()).filter(Boolean));
const policies = objects.filter((o) => o.kind === "NetworkPolicy");

// Namespaces: the rendered ones, and those around the suite.
const namespaces = {
  "kube-system": {},
  monitoring: {},
  "cnpg-system": {},
  "county-platform": { "touyan.gov.cn/caller": "true" },  // a government system's namespace
  elsewhere: {},                                         // an unrelated namespace
};
for (const o of objects.filter((o) => o.kind === "Namespace")) namespaces[o.metadata.name] = o.metadata.labels ?? {};

// The Touyan pods, as the manifests make them.
const podOf = (o, template) => {
  const ports = {};
  for (const c of template.spec.containers) for (const p of c.ports ?? []) if (p.name) ports[p.name] = p.containerPort;
  return { name: `${o.metadata.namespace}/${o.metadata.name}`, namespace: o.metadata.namespace,
           labels: template.metadata?.labels ?? {}, ports };
};
const services = objects.filter((o) => o.kind === "Deployment").map((o) => podOf(o, o.spec.template));
const jobs = objects.filter((o) => o.kind === "Job").map((o) => podOf(o, o.spec.template));
const suites = [...new Set(services.map((p) => p.namespace))].sort();
const dbNs = Object.keys(namespaces).find((n) => namespaces[n]["touyan.gov.cn/database"] === "true");
if (!dbNs) throw new Error("no namespace is labelled touyan.gov.cn/database=true");

// The pods other operators make, with the labels they give them:
// CloudNativePG's instances and pooler (its documentation's labels), kube-dns,
// Prometheus, the CloudNativePG operator, a caller system and a stranger.
const pod = (name, namespace, labels, ports = {}) => ({ name: `${namespace}/${name}`, namespace, labels, ports });
const primary = pod("touyan-pg-1", dbNs, { "cnpg.io/cluster": "touyan-pg", "cnpg.io/instanceName": "touyan-pg-1",
  "cnpg.io/instanceRole": "primary", role: "primary", "cnpg.io/podRole": "instance" });
const replica = pod("touyan-pg-2", dbNs, { "cnpg.io/cluster": "touyan-pg", "cnpg.io/instanceName": "touyan-pg-2",
  "cnpg.io/instanceRole": "replica", role: "replica", "cnpg.io/podRole": "instance" });
const pooler = pod("touyan-pg-pooler-rw", dbNs, { "cnpg.io/cluster": "touyan-pg", "cnpg.io/poolerName": "touyan-pg-pooler-rw",
  "cnpg.io/podRole": "pooler" });
const dns = pod("coredns", "kube-system", { "k8s-app": "kube-dns" });
const prometheus = pod("prometheus", "monitoring", { "app.kubernetes.io/name": "prometheus" });
const operator = pod("cnpg-controller-manager", "cnpg-system", { "app.kubernetes.io/name": "cloudnative-pg" });
const caller = pod("platform", "county-platform", { app: "party-building-platform" });
const stranger = pod("anything", "elsewhere", {});
const internet = { name: "internet 203.0.113.7", ip: "203.0.113.7" };

const rows = [];
const expect = (want, src, dst, port, protocol = "TCP", why = "") =>
  rows.push({ want, src, dst, port, protocol, why });
const svc = (ns, name) => services.find((p) => p.namespace === ns && p.labels["app.kubernetes.io/name"] === name);
const API = 50051, HEALTH = 8081, METRICS = 9090, PG = 5432;
const calls = { training: ["personnel"], contest: ["personnel"], incentive: ["personnel", "training", "contest"] };

for (const ns of suites) {
  const names = services.filter((p) => p.namespace === ns).map((p) => p.labels["app.kubernetes.io/name"]);
  for (const name of names) {
    const s = svc(ns, name);
    expect(true, s, dns, 53, "UDP", "DNS");
    expect(true, s, dns, 53, "TCP", "DNS");
    expect(true, s, pooler, PG, "TCP", "the service's database path");
    expect(false, s, primary, PG, "TCP", "services go through the pooler");
    expect(true, s, replica, PG, "TCP", "read-only calls on the replicas (DATABASE_READ_HOST)");
    expect(false, s, internet, 443, "TCP", "no egress outside the cluster");
    expect(true, prometheus, s, METRICS, "TCP", "scrape");
    expect(false, prometheus, s, API, "TCP");
    expect(true, caller, s, API, "TCP", "a government system calls the API");
    expect(false, caller, s, METRICS, "TCP");
    expect(false, caller, s, HEALTH, "TCP", "the probe port is for the kubelet");
    for (const port of [API, HEALTH, METRICS]) expect(false, stranger, s, port, "TCP", "an unrelated pod");
    for (const other of names) {
      if (other === name) continue;
      expect((calls[name] ?? []).includes(other), s, svc(ns, other), API, "TCP",
        (calls[name] ?? []).includes(other) ? "it calls it" : "it does not call it");
    }
    for (const otherNs of suites) {
      if (otherNs === ns) continue;
      for (const other of names) if (svc(otherNs, other)) expect(false, s, svc(otherNs, other), API, "TCP", "another deployment");
    }
  }
}
for (const j of jobs) {
  expect(true, j, dns, 53, "UDP", "DNS");
  expect(true, j, primary, PG, "TCP", "migrations run on the primary");
  expect(false, j, replica, PG, "TCP");
  expect(false, j, internet, 443, "TCP");
  for (const s of services) expect(false, j, s, API, "TCP", "a migration calls no service");
}
for (const src of [caller, stranger]) {
  for (const db of [primary, replica, pooler]) expect(false, src, db, PG, "TCP", "nobody outside Touyan reaches Postgres");
}
expect(true, pooler, primary, PG, "TCP", "the pooler's server connections");
expect(true, replica, primary, PG, "TCP", "streaming replication");
expect(true, operator, primary, 8000, "TCP", "the operator's instance manager");
expect(true, prometheus, primary, 9187, "TCP", "Postgres metrics");
expect(true, prometheus, pooler, 9127, "TCP", "PgBouncer metrics");
expect(false, stranger, primary, 8000, "TCP");

const cluster = { namespaces };
let wrong = 0;
for (const r of rows) {
  const got = allowed(policies, cluster, r.src, r.dst, r.port, r.protocol);
  if (got !== r.want) {
    wrong++;
    console.error(`  ${r.want ? "DENIED " : "ALLOWED"} ${r.src.name} -> ${r.dst.name}:${r.port}/${r.protocol}` +
      ` (should be ${r.want ? "allowed" : "denied"}${r.why ? ": " + r.why : ""})`);
  }
}
console.error(`netpol: ${rows.length} cells, ${rows.filter((r) => r.want).length} allowed, ` +
  `${rows.filter((r) => !r.want).length} denied, ${wrong} wrong (${suites.length} suites, ${policies.length} policies)`);
process.exit(wrong ? 1 : 0);

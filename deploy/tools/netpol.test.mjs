// The evaluator against the worked examples of the Kubernetes
// documentation ("Network Policies" concepts page): run with node --test.
import { test } from "node:test";
import assert from "node:assert/strict";
import { allowed, selects, inCidr } from "./netpol.mjs";

const np = (namespace, spec, name = "p") => ({ kind: "NetworkPolicy", metadata: { name, namespace }, spec });
const pod = (namespace, labels = {}, ip = undefined, ports = {}) => ({ namespace, labels, ip, ports });

// The page's first example, test-network-policy in namespace default.
const example = np("default", {
  podSelector: { matchLabels: { role: "db" } },
  policyTypes: ["Ingress", "Egress"],
  ingress: [{
    from: [
      { ipBlock: { cidr: "172.17.0.0/16", except: ["172.17.1.0/24"] } },
      { namespaceSelector: { matchLabels: { project: "myproject" } } },
      { podSelector: { matchLabels: { role: "frontend" } } },
    ],
    ports: [{ protocol: "TCP", port: 6379 }],
  }],
  egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/24" } }], ports: [{ protocol: "TCP", port: 5978 }] }],
});
const cluster = { namespaces: { default: {}, myproject: { project: "myproject" }, other: {} } };
const db = pod("default", { role: "db" }, "10.1.0.5");

test("the documentation's example: ingress to role=db on 6379 from its three peers", () => {
  assert.equal(allowed([example], cluster, pod("default", { role: "frontend" }), db, 6379), true);
  assert.equal(allowed([example], cluster, pod("myproject", { any: "thing" }), db, 6379), true, "any pod of project=myproject");
  assert.equal(allowed([example], cluster, { ip: "172.17.2.9" }, db, 6379), true, "inside the ipBlock");
  assert.equal(allowed([example], cluster, { ip: "172.17.1.9" }, db, 6379), false, "the except range");
  assert.equal(allowed([example], cluster, pod("default", { role: "frontend" }), db, 6380), false, "another port");
  assert.equal(allowed([example], cluster, pod("other", { role: "frontend" }), db, 6379), false,
    "a podSelector alone means the policy's namespace");
  assert.equal(allowed([example], cluster, pod("default", { role: "backend" }), db, 6379), false);
});

test("the documentation's example: egress from role=db only to 10.0.0.0/24 on 5978", () => {
  assert.equal(allowed([example], cluster, db, { ip: "10.0.0.7" }, 5978), true);
  assert.equal(allowed([example], cluster, db, { ip: "10.0.1.7" }, 5978), false);
  assert.equal(allowed([example], cluster, db, { ip: "10.0.0.7" }, 443), false);
  assert.equal(allowed([example], cluster, db, pod("default", { role: "frontend" }), 80), false);
  assert.equal(allowed([example], cluster, pod("default", { role: "frontend" }), { ip: "8.8.8.8" }, 53, "UDP"), true,
    "a pod no policy selects is not isolated");
});

test("default deny all ingress, allow all ingress, default deny all egress", () => {
  const denyIngress = np("default", { podSelector: {}, policyTypes: ["Ingress"] });
  const allowIngress = np("default", { podSelector: {}, ingress: [{}] }, "allow");
  const denyEgress = np("default", { podSelector: {}, policyTypes: ["Egress"] });
  const a = pod("default", { app: "a" }), b = pod("default", { app: "b" });
  assert.equal(allowed([denyIngress], cluster, a, b, 80), false);
  assert.equal(allowed([denyIngress], cluster, a, { ip: "1.2.3.4" }, 80), true, "egress is not isolated by it");
  assert.equal(allowed([denyIngress, allowIngress], cluster, a, b, 80), true, "policies are additive");
  assert.equal(allowed([denyEgress], cluster, a, b, 80), false);
  assert.equal(allowed([denyEgress], cluster, pod("other"), b, 80), true, "another namespace's pods are not selected");
});

test("a policy without policyTypes isolates ingress, and egress only when it has egress rules", () => {
  const ingressOnly = np("default", { podSelector: {}, ingress: [] });
  assert.equal(allowed([ingressOnly], cluster, pod("default"), pod("default"), 80), false);
  assert.equal(allowed([ingressOnly], cluster, pod("default"), { ip: "1.1.1.1" }, 80), true);
  const withEgress = np("default", { podSelector: {}, egress: [{ ports: [{ port: 53, protocol: "UDP" }] }] });
  assert.equal(allowed([withEgress], cluster, pod("default"), { ip: "1.1.1.1" }, 53, "UDP"), true);
  assert.equal(allowed([withEgress], cluster, pod("default"), { ip: "1.1.1.1" }, 443), false);
});

test("namespaceSelector and podSelector in one peer are AND; in two peers OR", () => {
  const and = np("default", { podSelector: {}, ingress: [{ from: [{
    namespaceSelector: { matchLabels: { user: "alice" } }, podSelector: { matchLabels: { role: "client" } } }] }] });
  const or = np("default", { podSelector: {}, ingress: [{ from: [
    { namespaceSelector: { matchLabels: { user: "alice" } } }, { podSelector: { matchLabels: { role: "client" } } }] }] });
  const c = { namespaces: { default: {}, alice: { user: "alice" } } };
  const dst = pod("default");
  assert.equal(allowed([and], c, pod("alice", { role: "client" }), dst, 80), true);
  assert.equal(allowed([and], c, pod("alice", { role: "server" }), dst, 80), false);
  assert.equal(allowed([and], c, pod("default", { role: "client" }), dst, 80), false);
  assert.equal(allowed([or], c, pod("alice", { role: "server" }), dst, 80), true);
  assert.equal(allowed([or], c, pod("default", { role: "client" }), dst, 80), true);
});

test("a port range (endPort), named ports and protocols", () => {
  const range = np("default", { podSelector: { matchLabels: { role: "db" } }, policyTypes: ["Egress"],
    egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/24" } }], ports: [{ protocol: "TCP", port: 32000, endPort: 32768 }] }] });
  assert.equal(allowed([range], cluster, db, { ip: "10.0.0.1" }, 32000), true);
  assert.equal(allowed([range], cluster, db, { ip: "10.0.0.1" }, 32768), true);
  assert.equal(allowed([range], cluster, db, { ip: "10.0.0.1" }, 32769), false);
  assert.equal(allowed([range], cluster, db, { ip: "10.0.0.1" }, 32000, "UDP"), false);
  const named = np("default", { podSelector: {}, ingress: [{ ports: [{ port: "grpc" }] }] });
  const server = pod("default", {}, undefined, { grpc: 50051 });
  assert.equal(allowed([named], cluster, pod("default"), server, 50051), true);
  assert.equal(allowed([named], cluster, pod("default"), server, 9090), false);
});

test("selectors: matchExpressions and the namespace name label", () => {
  assert.equal(selects({ matchExpressions: [{ key: "env", operator: "In", values: ["prod"] }] }, { env: "prod" }), true);
  assert.equal(selects({ matchExpressions: [{ key: "env", operator: "NotIn", values: ["prod"] }] }, { env: "prod" }), false);
  assert.equal(selects({ matchExpressions: [{ key: "env", operator: "Exists" }] }, {}), false);
  assert.equal(selects({ matchExpressions: [{ key: "env", operator: "DoesNotExist" }] }, {}), true);
  assert.equal(selects({}, { any: "x" }), true);
  assert.equal(inCidr("192.168.1.7", "192.168.0.0/16"), true);
  assert.equal(inCidr("192.169.1.7", "192.168.0.0/16"), false);
  const byName = np("default", { podSelector: {}, ingress: [{ from: [{
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }] }] });
  const c = { namespaces: { default: {}, monitoring: {} } };
  assert.equal(allowed([byName], c, pod("monitoring"), pod("default"), 9090), true, "the API server's namespace label");
});

// Kubernetes NetworkPolicy semantics (networking.k8s.io/v1), for checking
// what rendered manifests allow: may a connection from one pod reach another
// on a port? Follows the API reference and the concepts page:
//  - a pod is isolated for ingress (egress) when some policy in its namespace
//    selects it and lists Ingress (Egress) in policyTypes (absent policyTypes:
//    Ingress, plus Egress when the policy has egress rules);
//  - an isolated pod admits a connection only when some rule of a policy that
//    selects it matches the peer and the port; policies are additive;
//  - a connection needs both the source's egress and the destination's
//    ingress to allow it;
//  - a peer with podSelector alone means pods of the policy's namespace; with
//    namespaceSelector alone every pod of the matching namespaces; with both,
//    pods matching the one in namespaces matching the other; ipBlock matches
//    the peer's IP (cidr minus except); an empty from/to list, or none, is
//    every peer; an empty ports list, or none, every port;
//  - a port is a number or a named container port of the destination pod;
//    endPort makes a range; protocol defaults to TCP.
// Traffic from a pod's own node (the kubelet's probes) is always allowed and
// is not modelled here.

// Does a label selector ({matchLabels, matchExpressions}) select `labels`?
// An empty selector selects everything.
export function selects(selector, labels = {}) {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[k] !== v) return false;
  }
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    switch (e.operator) {
      case "In": if (!has || !e.values.includes(labels[e.key])) return false; break;
      case "NotIn": if (has && e.values.includes(labels[e.key])) return false; break;
      case "Exists": if (!has) return false; break;
      case "DoesNotExist": if (has) return false; break;
      default: throw new Error(`unknown selector operator ${e.operator}`);
    }
  }
  return true;
}

function ipToInt(ip) {
  return ip.split(".").reduce((n, o) => (n << 8) + Number(o), 0) >>> 0;
}

export function inCidr(ip, cidr) {
  const [base, bits] = cidr.split("/");
  const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
  return ((ipToInt(ip) & mask) >>> 0) === ((ipToInt(base) & mask) >>> 0);
}

// The namespace's labels: its own, and kubernetes.io/metadata.name, which
// the API server sets on every namespace.
function namespaceLabels(cluster, name) {
  return { ...(cluster.namespaces[name] ?? {}), "kubernetes.io/metadata.name": name };
}

function peerMatches(peer, policyNs, endpoint, cluster) {
  if (peer.ipBlock) {
    if (!endpoint.ip) return false;
    return inCidr(endpoint.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((c) => inCidr(endpoint.ip, c));
  }
  if (!endpoint.namespace) return false;  // outside the cluster: only ipBlock matches it
  const nsOk = peer.namespaceSelector
    ? selects(peer.namespaceSelector, namespaceLabels(cluster, endpoint.namespace))
    : endpoint.namespace === policyNs;
  return nsOk && (!peer.podSelector || selects(peer.podSelector, endpoint.labels));
}

function portMatches(ports, port, protocol, dst) {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    if ((p.protocol ?? "TCP") !== protocol) return false;
    if (p.port === undefined) return true;
    let number = p.port;
    if (typeof number === "string") number = dst.ports?.[number];  // a named port of the destination
    if (number === undefined) return false;
    return p.endPort !== undefined ? port >= number && port <= p.endPort : port === number;
  });
}

function types(policy) {
  if (policy.spec.policyTypes) return policy.spec.policyTypes;
  return policy.spec.egress ? ["Ingress", "Egress"] : ["Ingress"];
}

function selecting(policies, pod, type) {
  return policies.filter((p) => (p.metadata.namespace ?? "default") === pod.namespace &&
    types(p).includes(type) && selects(p.spec.podSelector, pod.labels));
}

// Whether `pod`'s isolation for `type` ("Ingress": rules `ingress`, peers
// `from`; "Egress": `egress`, `to`) admits `peer` on the port. A pod that no
// policy of that type selects is not isolated.
function admits(policies, cluster, pod, type, peer, port, protocol, dst) {
  const [rulesKey, peersKey] = type === "Ingress" ? ["ingress", "from"] : ["egress", "to"];
  const isolating = selecting(policies, pod, type);
  return isolating.length === 0 || isolating.some((p) => (p.spec[rulesKey] ?? []).some((rule) =>
    (!rule[peersKey] || rule[peersKey].length === 0 ||
     rule[peersKey].some((other) => peerMatches(other, p.metadata.namespace, peer, cluster))) &&
    portMatches(rule.ports, port, protocol, dst)));
}

// Whether `src` may open a connection to `dst` on `port`/`protocol` under
// `policies` (NetworkPolicy objects with metadata.namespace set). A pod is
// {namespace, labels, ports: {name: number}, ip}; an endpoint outside the
// cluster has only an ip. `cluster.namespaces` maps names to labels.
export function allowed(policies, cluster, src, dst, port, protocol = "TCP") {
  return (!src.namespace || admits(policies, cluster, src, "Egress", dst, port, protocol, dst)) &&
         (!dst.namespace || admits(policies, cluster, dst, "Ingress", src, port, protocol, dst));
}

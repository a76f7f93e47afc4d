// Validates rendered manifests (kubectl kustomize output) offline:
//  1. schema: core kinds against the Kubernetes models (types, required
//     fields, formats) and field names (an unknown field fails); the custom
//     resources against schemas/crds.json; any other kind fails;
//  2. policy: what a production review asks of every workload.
// usage: node validate.mjs [--digests] FILE.yaml...   exit 1 on any finding.
//   --digests: every image must be pinned by digest (the city's and the
//   counties' overlays: what runs there is exactly what was released).
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import Ajv from "ajv";
import * as k8s from "@kubernetes/client-node";

const CORE = {
  "v1/ConfigMap": "kubernetes-models/v1/ConfigMap",
  "v1/Namespace": "kubernetes-models/v1/Namespace",
  "v1/Service": "kubernetes-models/v1/Service",
  "v1/ServiceAccount": "kubernetes-models/v1/ServiceAccount",
  "apps/v1/Deployment": "kubernetes-models/apps/v1/Deployment",
  "batch/v1/Job": "kubernetes-models/batch/v1/Job",
  "policy/v1/PodDisruptionBudget": "kubernetes-models/policy/v1/PodDisruptionBudget",
  "autoscaling/v2/HorizontalPodAutoscaler": "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler",
  "networking.k8s.io/v1/NetworkPolicy": "kubernetes-models/networking.k8s.io/v1/NetworkPolicy",
};
const PROMETHEUS = {
  "monitoring.coreos.com/v1/ServiceMonitor": "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor",
  "monitoring.coreos.com/v1/PrometheusRule": "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule",
};
const crds = JSON.parse(readFileSync(new URL("./schemas/crds.json", import.meta.url)));
const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addSchema({ $id: "crds", definitions: crds.definitions });
const crdValidators = Object.fromEntries(Object.entries(crds.kinds).map(([k, s]) =>
  [k, ajv.compile({ ...s, definitions: crds.definitions })]));

const findings = [];
const fail = (obj, msg) => findings.push(`${obj.kind ?? "?"} ${obj.metadata?.name ?? "?"}: ${msg}`);

// Field names by the Kubernetes client's type map: every key must be known.
function unknownFields(value, type, path, out) {
  if (value === null || value === undefined) return;
  if (type.startsWith("Array<")) {
    if (Array.isArray(value)) value.forEach((v, i) => unknownFields(v, type.slice(6, -1), `${path}[${i}]`, out));
    return;
  }
  const map = /^\{ \[key: string\]: (.*); \}$/.exec(type);
  if (map) {
    if (typeof value === "object") for (const [k, v] of Object.entries(value)) unknownFields(v, map[1], `${path}.${k}`, out);
    return;
  }
  const cls = k8s[type];
  if (!cls || typeof cls.getAttributeTypeMap !== "function") return;  // a scalar, IntOrString, …
  if (typeof value !== "object" || Array.isArray(value)) { out.push(`${path}: must be an object`); return; }
  const fields = new Map(cls.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  for (const [k, v] of Object.entries(value)) {
    if (!fields.has(k)) out.push(`${path}.${k}: unknown field`);
    else unknownFields(v, fields.get(k), `${path}.${k}`, out);
  }
}

function clientType(apiVersion, kind) {
  const version = apiVersion.split("/").pop();
  return version.charAt(0).toUpperCase() + version.slice(1) + kind;  // apps/v1 Deployment → V1Deployment
}

async function checkSchema(obj) {
  const key = `${obj.apiVersion}/${obj.kind}`;
  if (CORE[key]) {
    const Model = Object.values(await import(CORE[key]))[0];
    try { new Model(obj).validate(); } catch (e) { fail(obj, `schema: ${e.message.split("\n")[0]}`); }
    const out = [];
    unknownFields(obj, clientType(obj.apiVersion, obj.kind), "", out);
    for (const f of out) fail(obj, `schema: ${f}`);
  } else if (crdValidators[key]) {
    if (PROMETHEUS[key]) {
      const Model = Object.values(await import(PROMETHEUS[key]))[0];
      try { new Model(obj).validate(); } catch (e) { fail(obj, `schema: ${e.message.split("\n")[0]}`); }
    }
    const v = crdValidators[key];
    if (!v(obj)) for (const e of v.errors) fail(obj, `schema: ${e.instancePath || "/"} ${e.message}${e.params?.additionalProperty ? ` '${e.params.additionalProperty}'` : ""}`);
  } else {
    fail(obj, `unknown kind ${key}: no schema to validate it against`);
  }
}

function checkPod(obj, pod, { probes }) {
  const spec = pod?.spec ?? {};
  if (spec.automountServiceAccountToken !== false) fail(obj, "policy: automountServiceAccountToken must be false");
  if (spec.securityContext?.seccompProfile?.type !== "RuntimeDefault") fail(obj, "policy: pod seccompProfile must be RuntimeDefault");
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    const where = `container ${c.name}`;
    const image = c.image ?? "";
    const tag = image.includes("@") ? "digest" : (image.split("/").pop().split(":")[1] ?? "");
    if (requireDigests && !/@sha256:[0-9a-f]{64}$/.test(image)) {
      fail(obj, `policy: ${where} image '${image}' must be pinned by digest (scripts/release-images.sh)`);
    } else if (!tag || tag === "latest") fail(obj, `policy: ${where} image '${image}' needs a pinned tag (not latest)`);
    for (const side of ["requests", "limits"]) {
      for (const r of ["cpu", "memory"]) {
        if (!c.resources?.[side]?.[r]) fail(obj, `policy: ${where} has no resources.${side}.${r}`);
      }
    }
    const sc = c.securityContext ?? {};
    if (!(sc.runAsNonRoot ?? spec.securityContext?.runAsNonRoot)) fail(obj, `policy: ${where} may run as root (runAsNonRoot)`);
    if (sc.readOnlyRootFilesystem !== true) fail(obj, `policy: ${where} needs readOnlyRootFilesystem`);
    if (sc.allowPrivilegeEscalation !== false) fail(obj, `policy: ${where} needs allowPrivilegeEscalation false`);
    if (!(sc.capabilities?.drop ?? []).includes("ALL")) fail(obj, `policy: ${where} must drop ALL capabilities`);
    for (const e of [...(c.env ?? []), ...(c.envFrom ?? [])]) {
      if (/SIGNING_KEY/.test(e.name ?? "")) fail(obj, `policy: ${where} env ${e.name}: no token signing key in a deployment (services verify with the JWK Set)`);
    }
    for (const e of c.env ?? []) {
      if (/(PASSWORD|SECRET|TOKEN|KEY)$/.test(e.name) && e.value !== undefined && !/\$\(/.test(e.value)) {
        fail(obj, `policy: ${where} env ${e.name} is a literal secret; use valueFrom.secretKeyRef`);
      }
    }
    if (probes) {
      for (const p of ["startupProbe", "readinessProbe", "livenessProbe"]) {
        if (!c[p]) fail(obj, `policy: ${where} has no ${p}`);
      }
      if (!c.lifecycle?.preStop) fail(obj, `policy: ${where} has no preStop pause`);
    }
  }
}

// A token signing key anywhere in a deployment: services verify tokens with
// the identity provider's public keys only.
function checkNoSigningKey(obj) {
  for (const [k, v] of Object.entries(obj.data ?? {})) {
    const text = String(v);
    if (/SIGNING_KEY/.test(k) || /PRIVATE KEY/.test(text)) fail(obj, `policy: ${k}: no token signing key in a deployment`);
    if (/\.json$/.test(k) && /"(d|p|q|dp|dq|qi|k)"\s*:/.test(text)) fail(obj, `policy: ${k}: a JWK Set holds public keys only (private member found)`);
  }
  for (const v of obj.spec?.template?.spec?.volumes ?? []) {
    if (/signing/.test(v.secret?.secretName ?? "") || v.secret?.secretName === "touyan-token-key") fail(obj, `policy: volume ${v.name}: no token signing key in a deployment`);
  }
}

function checkPolicy(obj, all) {
  checkNoSigningKey(obj);
  switch (obj.kind) {
    case "Deployment": {
      checkPod(obj, obj.spec?.template, { probes: true });
      if (obj.spec?.strategy?.rollingUpdate?.maxUnavailable !== 0) fail(obj, "policy: rolling updates must keep every pod (maxUnavailable 0)");
      if ((obj.spec?.template?.spec?.terminationGracePeriodSeconds ?? 30) < 30) fail(obj, "policy: terminationGracePeriodSeconds must outlast preStop + drain (>= 30)");
      const name = obj.metadata.name;
      const has = (kind, pred) => all.some((o) => o.kind === kind && pred(o));
      if (!has("HorizontalPodAutoscaler", (o) => o.spec?.scaleTargetRef?.name === name)) fail(obj, "policy: no HorizontalPodAutoscaler");
      if (!has("PodDisruptionBudget", (o) => o.metadata.name === name)) fail(obj, "policy: no PodDisruptionBudget");
      if (!has("ServiceMonitor", (o) => o.metadata.name === name)) fail(obj, "policy: no ServiceMonitor");
      break;
    }
    case "Job":
      checkPod(obj, obj.spec?.template, { probes: false });
      break;
    case "Service":
      for (const p of obj.spec?.ports ?? []) if (!p.name) fail(obj, `policy: port ${p.port} has no name`);
      break;
    case "Secret":
      fail(obj, "policy: no Secret in the repository (create it in the cluster; deploy/README.md)");
      break;
  }
}

const args = process.argv.slice(2);
const requireDigests = args[0] === "--digests";
let total = 0;
for (const file of args.slice(requireDigests ? 1 : 0)) {
  const docs = parseAllDocuments(readFileSync(file, "utf8"));
  const objs = [];
  for (const d of docs) {
    if (d.errors.length) { findings.push(`${file}: YAML: ${d.errors[0].message}`); continue; }
    const o = d.toJS();
    if (o) objs.push(o);
  }
  for (const o of objs) {
    await checkSchema(o);
    checkPolicy(o, objs);
  }
  total += objs.length;
}
for (const f of findings) console.error(`  ${f}`);
console.error(`validate: ${total} objects, ${findings.length} findings`);
process.exit(findings.length ? 1 : 0);

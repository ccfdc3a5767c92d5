// Validates custom resources against the operators' CRD OpenAPI schemas (compiled by @kubernetes-models/*).
// stdin: a JSON array of resources; stdout: a JSON array, one entry per resource:
//   {"id": "Kind/name", "apiVersion": "...", "schema": "<module>" | null, "errors": ["<path> <message>", ...]}
// "schema": null means no schema for that group/version/kind: an apiVersion the operator does not serve (any more).
const PACKAGES = {
  "kafka.strimzi.io": "@kubernetes-models/strimzi-kafka-operator",
  "core.strimzi.io": "@kubernetes-models/strimzi-kafka-operator",
  "postgresql.cnpg.io": "@kubernetes-models/cloudnative-pg",
  "keda.sh": "@kubernetes-models/keda",
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
};

let input = "";
for await (const chunk of process.stdin) input += chunk;
const out = [];
for (const r of JSON.parse(input)) {
  const [group, version] = r.apiVersion.includes("/") ? r.apiVersion.split("/") : ["", r.apiVersion];
  const entry = { id: `${r.kind}/${r.metadata?.name}`, apiVersion: r.apiVersion, schema: null, errors: [] };
  const pkg = PACKAGES[group];
  if (!pkg) {
    entry.errors.push(`no CRD schema package for group "${group}"`);
    out.push(entry);
    continue;
  }
  const module = `${pkg}/${group}/${version}/${r.kind}`;
  let Model;
  try {
    Model = (await import(module))[r.kind];
  } catch (e) {
    Model = undefined;
  }
  if (!Model) {
    entry.errors.push(`${r.apiVersion} ${r.kind} is not in the CRD schemas of ${pkg}`);
    out.push(entry);
    continue;
  }
  entry.schema = module;
  try {
    new Model(r).validate();
  } catch (e) {
    const errs = e.errors ?? e.details ?? null;
    if (Array.isArray(errs)) {
      for (const x of errs) entry.errors.push(`${x.instancePath || "/"} ${x.message}${x.params ? " " + JSON.stringify(x.params) : ""}`);
    } else {
      entry.errors.push(String(e.message ?? e));
    }
  }
  out.push(entry);
}
process.stdout.write(JSON.stringify(out, null, 1) + "\n");

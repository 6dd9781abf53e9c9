// Checks Kubernetes manifests against the Kubernetes OpenAPI schemas, as kubernetes-models
// ships them (its validate() runs ajv over the official schema of each kind).
//   node validate.mjs FILE.yaml ...      (after npm install here; tests/containers.sh does both)
import fs from "node:fs";
import * as yaml from "js-yaml";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { Job } from "kubernetes-models/batch/v1/Job";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Service } from "kubernetes-models/v1/Service";
const kinds = { Deployment, StatefulSet, Job, ConfigMap, Service };
let bad = 0, n = 0;
for (const f of process.argv.slice(2)) {
  for (const doc of yaml.loadAll(fs.readFileSync(f, "utf8"))) {
    if (!doc) continue;
    n++;
    const K = kinds[doc.kind];
    if (!K) { console.log(`${f}: ${doc.kind}: no schema here`); bad++; continue; }
    try { new K(doc).validate(); console.log(`${f}: ${doc.kind} ${doc.metadata.name}: valid`); }
    catch (e) { bad++; console.log(`${f}: ${doc.kind} ${doc.metadata?.name}: ${e.message}`); }
  }
}
console.log(`${n} objects, ${bad} invalid`);
process.exit(bad ? 1 : 0);

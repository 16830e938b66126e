// node k8s_validate.js FILE.json: FILE holds a JSON array of Kubernetes
// objects (a multi-document manifest); each is validated against the
// Kubernetes API's schema for its apiVersion and kind (npm kubernetes-models,
// installed by ci/install-ajv.sh; NODE_PATH points at its node_modules).
// Prints "KIND NAME: valid" per object; exits 1 on the first invalid one.
"use strict";
const fs = require("fs");
const docs = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
for (const d of docs) {
	const [group, version] = d.apiVersion.includes("/") ? d.apiVersion.split("/") : [null, d.apiVersion];
	const mod = group ? `kubernetes-models/${group}/${version}/${d.kind}` : `kubernetes-models/${version}/${d.kind}`;
	const Model = require(mod)[d.kind];
	try {
		new Model(d).validate();
	} catch (e) {
		console.log(`${d.kind} ${d.metadata.name}: invalid: ${e.message}`);
		process.exit(1);
	}
	console.log(`${d.kind} ${d.metadata.name}: valid`);
}

// Validates JSON documents against a JSON Schema (draft 2020-12) with Ajv.
// usage: node validate.mjs SCHEMA FILE...
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import fs from "fs";

const [schemaPath, ...files] = process.argv.slice(2);
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaPath, "utf8")));
let failed = 0;
for (const file of files) {
    if (!validate(JSON.parse(fs.readFileSync(file, "utf8")))) {
        failed++;
        console.log(`invalid: ${file} against ${schemaPath}`);
        console.log(JSON.stringify(validate.errors, null, 2));
    }
}
process.exit(failed ? 1 : 0);

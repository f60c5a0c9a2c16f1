// Validates a Teams app manifest against the official schema bundled in npm @microsoft/app-manifest (offline).
// Usage: node tools/validate-manifest.cjs path/to/manifest.json   -> prints one error per line; exit 1 if any.
const fs = require('fs');
const { AppManifestUtils } = require('@microsoft/app-manifest');

(async () => {
  const manifest = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const errors = await AppManifestUtils.validateAgainstSchema(manifest);
  for (const e of errors) console.log(typeof e === 'string' ? e : JSON.stringify(e));
  console.log(`${errors.length} schema error(s) against ${manifest.$schema}`);
  process.exit(errors.length === 0 ? 0 : 1);
})().catch(e => { console.error(e.stack || String(e)); process.exit(2); });

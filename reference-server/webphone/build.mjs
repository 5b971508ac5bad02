// Bundles JsSIP (CommonJS, with its npm dependencies) into one minified ES
// module for the browser: reference-server/web/vendor/jssip.js, which dialerd
// serves with the panel. The panel imports it only for agents whose phone is
// a browser phone. scripts/install-deps.sh runs this after `npm ci` here.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const outfile = path.join(here, '..', 'web', 'vendor', 'jssip.js');
const version = JSON.parse(fs.readFileSync(path.join(here, 'node_modules', 'jssip', 'package.json'), 'utf8')).version;

await build({
  stdin: {
    // A named export as well as the default, so the panel can read the
    // version it loaded.
    contents: `import JsSIP from 'jssip'; export default JsSIP; export const version = ${JSON.stringify(version)};`,
    resolveDir: here,
  },
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome100', 'firefox100', 'safari15'],
  minify: true,
  legalComments: 'inline',
  outfile,
  logLevel: 'warning',
});
console.log(`webphone: JsSIP ${version} bundled into ${path.relative(process.cwd(), outfile)} (${fs.statSync(outfile).size} bytes)`);

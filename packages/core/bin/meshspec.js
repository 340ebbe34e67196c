#!/usr/bin/env node
// The compiled CLI lives in dist/ (built by `npm run build:core`, which `npm ci` runs as `prepare`).
import('../dist/cli/main.js').then((m) => m.main(process.argv.slice(2)));

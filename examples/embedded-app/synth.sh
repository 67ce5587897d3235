#!/usr/bin/env bash
# The library from a consumer's side: in an empty temporary directory, a new project installs
# aws-cdk-lib, constructs, typescript and the packed tarball of this repository (npm pack), type-checks
# app.ts against the package's declarations, synthesizes it offline, checks the template, and runs
# `npx mgov --help` from the installed package. npm takes aws-cdk-lib, constructs and typescript from
# its cache when it has them (--prefer-offline), else from the registry.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/mgov-embedded-XXXXXX")"
trap 'rm -rf "$work"' EXIT

version() { node -p "require('$repo/node_modules/$1/package.json').version"; }

echo "== npm pack (builds dist/: compiled library, declarations, handler bundles, mgov)"
tarball="$(cd "$repo" && npm pack --silent --pack-destination "$work" | tail -n 1)"
echo "$tarball"

echo "== a new project in $work/app"
mkdir "$work/app"
cp "$here/app.ts" "$here/package.json" "$here/tsconfig.json" "$here/check.cjs" "$work/app/"
cd "$work/app"
npm install --no-audit --no-fund --prefer-offline --loglevel=error \
  "aws-cdk-lib@$(version aws-cdk-lib)" "constructs@$(version constructs)" "typescript@$(version typescript)" \
  "$work/$tarball"

echo "== the installed package carries its licence"
grep -q "Apache License" node_modules/model-governance/LICENSE

echo "== type-check and compile app.ts against the package's declarations"
npx tsc

echo "== synth (offline: no account, no Docker, no network)"
env -u AWS_PROFILE -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_REGION \
  AWS_EC2_METADATA_DISABLED=true CDK_OUTDIR=cdk.out node app.js
node check.cjs cdk.out/MlPlatform.template.json

echo "== npx mgov --help (the installed, compiled CLI: no tsx)"
test ! -e node_modules/tsx
npx mgov --help | head -n 3
if npx mgov --help | grep -q -- 'mgov --version'; then
  expected="$(node -p "require('$repo/package.json').version")"
  npx mgov --version | grep -F "$expected"
fi
echo "embedded app: OK"

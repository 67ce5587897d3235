#!/usr/bin/env bash
# The library from a consumer's side: in an empty temporary directory, a new project installs
# aws-cdk-lib, constructs, typescript and the packed tarball of this repository (npm pack), type-checks
# app.ts against the package's declarations, synthesizes it offline, checks the template, and runs
# `npx mgov --help` and `npx mgov local --app cdk.out` from the installed package (an approval made with
# the lines it prints deploys the app's endpoint). Then it follows docs/library-quickstart.md line by line
# in another new folder. npm takes aws-cdk-lib, constructs and typescript from
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

echo "== npx mgov local --app cdk.out (local mode from the installed package): the printed lines deploy the app's endpoint"
# The environment and the AWS CLI lines are the ones mgov prints, run as a user pastes them.
port="$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
# node_modules/.bin/mgov is what `npx mgov` runs; started directly so that the stop signal reaches it.
NO_COLOR=1 ./node_modules/.bin/mgov local --app cdk.out --port "$port" >"$work/local.log" 2>&1 &
local_pid=$!
# SIGTERM: a background job of a script ignores SIGINT (bash: no job control); mgov stops on either.
stop_local() { kill -TERM "$local_pid" 2>/dev/null || true; }
trap 'stop_local; rm -rf "$work"' EXIT
for _ in $(seq 1 300); do
  grep -q 'model-governance is running locally' "$work/local.log" && break
  kill -0 "$local_pid" 2>/dev/null || { cat "$work/local.log"; echo "mgov local exited early"; exit 1; }
  sleep 1
done
grep -q 'model-governance is running locally' "$work/local.log" || { cat "$work/local.log"; echo "mgov local did not start in 300 s"; exit 1; }
grep -E '^\s+export AWS_' "$work/local.log" | head -n 1 >"$work/env.sh"
create="$(grep -A2 'aws sagemaker create-model-package' "$work/local.log" | sed 's/^ *//' | tr -d '\\\n')"
# shellcheck disable=SC1091
source "$work/env.sh"
arn="$(bash -c "$create --query ModelPackageArn --output text")"
echo "registered $arn"
sleep 3 # the policy handler records the registration first, as on AWS (not required: it converges either way)
aws sagemaker update-model-package --model-package-arn "$arn" --model-approval-status Approved --approval-description "local check" >/dev/null
status=""
for _ in $(seq 1 300); do
  status="$(aws sagemaker describe-endpoint --endpoint-name churn-staging --query EndpointStatus --output text 2>/dev/null || true)"
  [ "$status" = "InService" ] && break
  sleep 1
done
[ "$status" = "InService" ] || { cat "$work/local.log"; echo "churn-staging is '$status', not InService, 300 s after the approval"; exit 1; }
echo "churn-staging InService"
stop_local
for _ in $(seq 1 60); do kill -0 "$local_pid" 2>/dev/null || break; sleep 1; done
grep -q 'stopped: moto, the local endpoint and every handler process are gone.' "$work/local.log" || { cat "$work/local.log"; echo "mgov local did not stop cleanly"; exit 1; }
echo "embedded app: OK"

echo "== the library quick start (docs/library-quickstart.md): its files and its lines, as written, in a new folder"
# The one difference from a reader's run: model-governance comes from the packed tarball, not the
# registry. npm prefers its cache for the rest (an environment setting, not a change to the lines).
mkdir "$work/quickstart"
cd "$work/quickstart"
node "$here/quickstart.cjs" "$repo/docs/library-quickstart.md" . >"$work/quickstart.sh"
npm pkg set "dependencies.model-governance=file:$work/$tarball"
export npm_config_prefer_offline=true
while IFS= read -r line; do
  echo "\$ $line"
  env -u AWS_PROFILE -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_REGION \
    AWS_EC2_METADATA_DISABLED=true bash -euo pipefail -c "$line"
done <"$work/quickstart.sh"
node "$here/check.cjs" cdk.out/MlPlatform.template.json
echo "library quick start: OK"

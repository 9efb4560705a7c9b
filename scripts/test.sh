#!/usr/bin/env bash
# Full test run (root `npm test`): install the interop peers (root + apt only),
# build with tsc -b, then run every vitest suite.
#
# Interop suites detect their external peers (packages/websocket/test/support/peers.ts):
# a missing peer skips that suite with a printed reason, except under CI=true,
# where it fails. Extra arguments are passed to `vitest run`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
  bash scripts/install-test-deps.sh
fi

echo "[test] building (tsc -b)" >&2
npx tsc -b

# Tests are TypeScript too: typecheck them strictly (vitest only strips types).
for config in packages/*/tsconfig.test.json; do
  [[ -e "$config" ]] || continue
  echo "[test] typechecking ${config%/tsconfig.test.json} with its tests" >&2
  npx tsc -p "$config"
done
# Examples with browser code carry their own config (DOM types).
for config in examples/*/tsconfig.json; do
  [[ -e "$config" ]] || continue
  echo "[test] typechecking ${config%/tsconfig.json}" >&2
  npx tsc -p "$config"
done

# The API reference must build without a single warning (typedoc.json treats them as errors).
echo "[test] checking the API docs (typedoc)" >&2
npx typedoc --logLevel Warn --out test-artifacts/api-docs

mkdir -p test-artifacts
summary=test-artifacts/vitest-results.json
rm -f "$summary"
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$summary" "$@" || status=$?

# One plain closing line that any CI log reader understands.
if [[ -s "$summary" ]]; then
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    console.log(`vitest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
  ' "$summary" || true
fi
exit "$status"

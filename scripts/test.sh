#!/usr/bin/env bash
# Every check, cheapest first, stopping at the first that fails. Runs under scripts/with-tools.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n== %s\n' "$*" >&2; }

step "opa fmt"
opa fmt --fail --list policies examples/shop/policy
step "opa check --strict"
# The example project's own rule (ACME001) beside the built-in ones, as `vendorgate build` compiles it.
opa check --strict policies/lib policies/rules examples/shop/policy/rules
step "opa test (coverage)"
node scripts/opa-test.ts
step "policy bundle"
node scripts/build-policy.ts
step "tsc --noEmit"
npx tsc --noEmit
# The example is a project of its own, with its own tsconfig.json.
npx tsc --noEmit -p examples/shop
step "eslint"
npx eslint --max-warnings 0 .
# The layers of .dependency-cruiser.js (docs/architecture.md): no import cycle, no import of a
# higher layer. test/architecture.test.ts shows the rules refuse an upward import and a cycle.
step "dependency-cruiser"
npx depcruise src --config .dependency-cruiser.js
step "vitest"
npx vitest run "$@"

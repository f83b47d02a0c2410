#!/usr/bin/env bash
# Entry point of every npm script: sets the pinned toolchain up (cheap when warm), puts it on PATH,
# then runs one task under it. The system Node may be too old for the project; the tasks are not.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/setup.sh
source scripts/setup.sh

# examples/shop imports "vendorgate" as a user's project does (in the checkout, from the checkout),
# and its custom rule is compiled as `npx vendorgate build` would (cheap when nothing changed).
node scripts/example.ts

# Cheap when nothing changed: compares the .rego sources' digest with the built bundle's.
node scripts/build-policy.ts

task=${1:-}
shift || true
# The package's compiled form: programs and tests import "vendorgate" through its exports, as users do.
case "$task" in
  setup | test | demo | bench) npm run build ;;
esac
case "$task" in
  setup) ;;
  build-policy) ;;
  test) bash scripts/test.sh "$@" ;;
  demo) node scripts/demo.ts "$@" ;;
  bench) node bench/run.ts "$@" ;;
  fuzz) VENDORGATE_FUZZ_RUNS=${VENDORGATE_FUZZ_RUNS:-10000} npx vitest run test/fuzz "$@" ;;
  *)
    echo "usage: scripts/with-tools.sh setup|build-policy|test|demo|bench|fuzz" >&2
    exit 2
    ;;
esac

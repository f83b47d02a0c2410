#!/usr/bin/env bash
# CI step: the project's own policy bundle, which every judging command needs when vendorgate.yaml
# names custom rules (`customRules`, or a signed `policyBundle` that may hold some).
#
#   bash scripts/ci/build-project.sh needs-opa <project dir> <checkout>...
#     writes needed=true|false to $GITHUB_OUTPUT: whether `vendorgate build` will need opa in any of
#     the checkouts (base and head). False in vendorgate's own repository, whose setup builds the
#     pinned opa.
#   bash scripts/ci/build-project.sh build <project dir> <checkout> [base|head]
#     runs that checkout's `vendorgate build` for the project (nothing to build without custom
#     rules). It never fails the job itself: a failed build leaves no bundle, so the plan that
#     follows exits 2 with the reason and the gate fails closed (the head) or compares with nothing
#     shared (the base).
set -euo pipefail
usage="usage: build-project.sh needs-opa <project dir> <checkout>... | build <project dir> <checkout> [base|head]"
mode=${1:?$usage}
project=${2:?$usage}
shift 2

# vendorgate.yaml as the CLI finds it: the project directory, then each one above it in the checkout
# (the working directory).
config_of() {
  local dir
  dir=$(cd "$project" 2>/dev/null && pwd) || return 1
  local top
  top=$(pwd)
  while :; do
    [ -f "$dir/vendorgate.yaml" ] && {
      echo "$dir/vendorgate.yaml"
      return 0
    }
    [ "$dir" = "$top" ] && return 1
    dir=$(dirname "$dir")
  done
}

own_repo() { [ -f scripts/with-tools.sh ] && grep -q '"name": "vendorgate"' package.json 2>/dev/null; }

case "$mode" in
  needs-opa)
    needed=false
    for checkout in "$@"; do
      if (cd "$checkout" 2>/dev/null && ! own_repo && config=$(config_of) && grep -Eq '^(customRules|policyBundle):' "$config"); then needed=true; fi
    done
    echo "needed=$needed"
    if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "needed=$needed" >>"$GITHUB_OUTPUT"; fi
    ;;
  build)
    cd "${1:?$usage}"
    side=${2:-head}
    if own_repo; then cli=bin/vendorgate.js; else cli=node_modules/vendorgate/bin/vendorgate.js; fi
    # No vendorgate here (a base that predates it): the plan step says so.
    [ -f "$cli" ] || exit 0
    if ! out=$(node "$cli" build --project "$project" 2>&1); then
      level=error
      [ "$side" = base ] && level=warning
      printf '%s\n' "$out" >&2
      # One line for the annotation; the full output is in the log above.
      first=$(printf '%s\n' "$out" | grep -m1 . || true)
      first=${first//%/%25}
      echo "::$level title=vendorgate::vendorgate build failed on the $side: ${first//$'\r'/}"
      exit 0
    fi
    printf '%s\n' "$out"
    ;;
  *)
    echo "$usage" >&2
    exit 2
    ;;
esac

#!/usr/bin/env bash
# CI step: checks the pull request's base commit out beside the head, as a detached worktree, so
# the base is planned with its own program, registry and vendorgate.
#   bash scripts/ci/checkout-base.sh <base sha> <directory>
set -euo pipefail
sha=${1:?usage: checkout-base.sh <base sha> <directory>}
dir=${2:?usage: checkout-base.sh <base sha> <directory>}
[[ $sha =~ ^[0-9a-f]{7,40}$ ]] || {
  echo "checkout-base: not a commit sha: $sha" >&2
  exit 2
}
# A shallow clone of the merge ref lacks the base commit; fetch just that one.
git cat-file -e "$sha^{commit}" 2>/dev/null || git fetch --no-tags --depth=1 origin "$sha"
git worktree add --force --detach "$dir" "$sha"

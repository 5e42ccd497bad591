#!/usr/bin/env bash
# The release steps, one script for CI (.ci/run) and the Dockerfile's runtime stage:
#   scripts/release.sh pack OUT_DIR          npm pack (prepare builds dist/ and web/dist/) → OUT_DIR/parley-<v>.tgz
#   scripts/release.sh install TARBALL DIR   install the tarball into DIR with --omit=dev (no dev tools, no build)
# DIR gets a package.json that depends on the tarball and carries Parley's npm `overrides` (overrides apply only at
# the root of an install), so the release installs the same engine-clean versions `npm ci` does.
set -euo pipefail

cmd="${1:-}"
case "$cmd" in
  pack)
    out="${2:?usage: release.sh pack OUT_DIR}"
    mkdir -p "$out"
    cd "$(dirname "$0")/.."
    # npm pack alone would build again through `prepare`; a build that is already fresh is packed as it is.
    node scripts/ensure-build.mjs >&2
    tarball="$(npm pack --silent --ignore-scripts --pack-destination "$out" | tail -n1)"
    echo "$(cd "$out" && pwd)/$tarball"
    ;;
  install)
    tarball="${2:?usage: release.sh install TARBALL DIR}"
    dir="${3:?usage: release.sh install TARBALL DIR}"
    mkdir -p "$dir"
    cp "$tarball" "$dir/"
    name="$(basename "$tarball")"
    cd "$dir"
    tar -xOzf "$name" package/package.json | node --input-type=module -e '
      import fs from "node:fs";
      const parley = JSON.parse(fs.readFileSync(0, "utf8"));
      const root = {
        name: "parley-release",
        private: true,
        dependencies: { parley: `file:./${process.argv[1]}` },
        overrides: parley.overrides ?? {},
      };
      fs.writeFileSync("package.json", JSON.stringify(root, null, 2) + "\n");
    ' "$name"
    npm install --omit=dev --no-audit --no-fund --loglevel=warn
    test -x node_modules/.bin/parley
    echo "release: installed $name into $(pwd) (run: npx parley start)"
    ;;
  *)
    echo "usage: release.sh pack OUT_DIR | install TARBALL DIR" >&2
    exit 64
    ;;
esac

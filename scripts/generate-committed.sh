#!/usr/bin/env bash
# Regenerates docs/ from the committed tree (HEAD) rather than the work tree, and copies the result into
# the work tree's docs/. When several people edit the schema at once, uncommitted changes of theirs
# would otherwise leak into committed docs, which CI (make docs-check, on a clean clone) then rejects.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export CHECKPOINT_DISABLE=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git archive HEAD | tar -x -C "$work"
(cd "$work" && go tool -modfile="$work/tools/go.mod" tfplugindocs generate -provider-name alicloud >/dev/null)
rm -rf "$root/docs"
cp -R "$work/docs" "$root/docs"
git status --short -- docs

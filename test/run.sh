#!/usr/bin/env bash
# `npm test`: provisions what the tests need (real programs, a Docker engine, Compose v2, lab
# images), builds the bundle, then runs every suite. A missing program fails; nothing is skipped.
#   TEST_SUITES="unit real"  limits the suites (default: unit real e2e)
set -euo pipefail
cd "$(dirname "$0")/.."
suites=${TEST_SUITES:-unit real e2e}

[ -d node_modules ] || npm install --no-audit --no-fund
bash test/provision/packages.sh
bash test/provision/compose-v2.sh >/dev/null
bash test/provision/dockerd.sh
npm run --silent build
# The e2e lab's images, from Debian packages, cached by a hash of their inputs (test/lab/README.md).
case " $suites " in *" e2e "*) bash test/lab/build-images.sh ;; esac

for s in $suites; do
  echo "=== suite: $s ==="
  if ! find "test/$s" -name '*.test.ts' -o -name '*.test.tsx' | grep -q .; then
    echo "suite $s has no test files yet"; continue
  fi
  if [ "$s" = unit ]; then
    npx vitest run --project unit
  else
    npx vitest run --project "$s" --no-file-parallelism
  fi
done

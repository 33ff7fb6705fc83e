#!/usr/bin/env bash
# `npm test`: provisions what the tests need (real programs, a Docker engine, Compose v2, lab
# images), builds the bundle, then runs every suite. A missing program fails; nothing is skipped.
#   TEST_SUITES="unit real"  limits the suites (default: unit real e2e)
set -euo pipefail
cd "$(dirname "$0")/.."
suites=${TEST_SUITES:-unit real e2e}

[ -d node_modules ] || npm install --no-audit --no-fund
# Lint and the layer rules first (seconds): a broken rule fails before anything is provisioned.
npm run --silent lint
bash test/provision/packages.sh
bash test/provision/compose-v2.sh >/dev/null
bash test/provision/dockerd.sh
npm run --silent build
# The e2e lab's images, from Debian packages, cached by a hash of their inputs (test/lab/README.md).
t0=$SECONDS
case " $suites " in *" e2e "*) bash test/lab/build-images.sh ;; esac
times="lab images $((SECONDS - t0))s"

for s in $suites; do
  echo "=== suite: $s ==="
  if ! find "test/$s" -name '*.test.ts' -o -name '*.test.tsx' | grep -q .; then
    echo "suite $s has no test files yet"; continue
  fi
  t0=$SECONDS
  if [ "$s" = unit ]; then
    npx vitest run --project unit
  else
    npx vitest run --project "$s" --no-file-parallelism
  fi
  times="$times, $s $((SECONDS - t0))s"
done
# Wall time per suite, for the CI log (a failing suite ends the run above: set -e).
echo "=== wall time: $times (total ${SECONDS}s) ==="

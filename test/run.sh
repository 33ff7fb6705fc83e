#!/usr/bin/env bash
# `npm test`: provisions what the tests need (real programs, a Docker engine, Compose v2, lab
# images, Node.js 22 and 24), builds the bundle, then runs every suite. A missing program fails;
# nothing is skipped. Budgets and what goes where: docs/ARCHITECTURE.md#tests.
#   TEST_SUITES="unit real"  limits the suites (default: unit real e2e)
#   TEST_NODE_MAJORS="22 24" the Node.js lines the built CLI's real tests run on again ("" for none)
set -euo pipefail
cd "$(dirname "$0")/.."
suites=${TEST_SUITES:-unit real e2e}
node_majors=${TEST_NODE_MAJORS-22 24}
has() { case " $suites " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
times=()
took() { times+=("$1 $(($(date +%s) - $2))s"); }

t0=$(date +%s)
[ -d node_modules ] || npm install --no-audit --no-fund
# Lint and the layer rules first (seconds): a broken rule fails before anything is provisioned.
npm run --silent lint
bash test/provision/packages.sh
bash test/provision/compose-v2.sh >/dev/null
bash test/provision/dockerd.sh
took provision "$t0"
t0=$(date +%s)
npm run --silent build
took build "$t0"

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
# Work that does not need the suites before it starts now and is waited for where it is needed:
# the lab's images (Debian packages; cached by a hash of their inputs, test/lab/README.md), built
# while the unit and real suites run, and the Node.js binaries of the other lines.
lab_pid=
if has e2e; then
  { s=$(date +%s); rc=0; bash test/lab/build-images.sh --all || rc=$?; echo $(($(date +%s) - s)) >"$logs/lab-images.secs"; exit "$rc"; } >"$logs/lab-images.log" 2>&1 &
  lab_pid=$!
fi
node_pid=
if has real && [ -n "$node_majors" ]; then
  # shellcheck disable=SC2086 # the majors are words
  bash test/provision/node-versions.sh $node_majors >"$logs/node-bins" 2>"$logs/node-versions.log" &
  node_pid=$!
fi
waited() { # PID LOG WHAT: waits for a background job; its log, and a failure, in the CI log
  local rc=0
  wait "$1" || rc=$?
  cat "$2"
  [ "$rc" -eq 0 ] || { echo "=== $3 failed (exit $rc) ===" >&2; exit "$rc"; }
}

# Per-file wall times (slowest first) after each suite, for the CI log.
vitest=(node_modules/.bin/vitest run --reporter=default --reporter=./test/support/timings-reporter.ts)

# The real tests that run the built CLI (dist/, bin/, or a bundle built like it) as a user's Node
# runs it: again on each other Node.js line, vitest itself on that Node (process.execPath is it).
built_cli_tests=(
  test/real/abort-children.test.ts
  test/real/cli-host.test.ts
  test/real/cli-pipe.test.ts
  test/real/mirror-probe.test.ts
  test/real/mirrors-write.test.ts
  test/real/render-locale.test.ts
  test/real/tui-tmux.test.ts
)

# The built CLI's real tests on each other Node line, one line after the other; their log and
# times are printed by finish_matrix.
matrix_pid=
node_matrix() {
  local node v t rc=0
  while read -r node; do
    v=$("$node" --version)
    t=$(date +%s)
    echo "=== suite: real, the built CLI's tests on Node.js $v ==="
    "$node" "${vitest[@]}" --project real --no-file-parallelism "${built_cli_tests[@]}" || rc=$?
    echo "real@$v $(($(date +%s) - t))s" >>"$logs/matrix.times"
    [ "$rc" -eq 0 ] || break
  done <"$logs/node-bins" >"$logs/matrix.log" 2>&1
  return "$rc"
}
finish_matrix() {
  [ -n "$matrix_pid" ] || return 0
  local rc=0
  wait "$matrix_pid" || rc=$?
  matrix_pid=
  cat "$logs/matrix.log"
  while read -r line; do times+=("$line"); done <"$logs/matrix.times"
  [ "$rc" -eq 0 ] || { echo "=== the built CLI's tests failed on another Node.js line (exit $rc) ===" >&2; exit "$rc"; }
}

for s in $suites; do
  echo "=== suite: $s ==="
  if ! find "test/$s" -name '*.test.ts' -o -name '*.test.tsx' | grep -q .; then
    echo "suite $s has no test files yet"; continue
  fi
  t0=$(date +%s)
  case $s in
    unit)
      # No network, a scratch HOME, this machine's state folders hidden (test/support/unit-sandbox.sh).
      bash test/support/unit-sandbox.sh "${vitest[@]}" --project unit
      took unit "$t0"
      ;;
    real)
      "${vitest[@]}" --project real --no-file-parallelism
      took real "$t0"
      if [ -n "$node_pid" ]; then
        waited "$node_pid" "$logs/node-versions.log" "fetching Node.js $node_majors"
        # Beside the e2e suite when it follows (its tests mostly wait on servers), else now.
        node_matrix &
        matrix_pid=$!
        has e2e || finish_matrix
      fi
      ;;
    e2e)
      if [ -n "$lab_pid" ]; then
        waited "$lab_pid" "$logs/lab-images.log" "building the lab images"
        times+=("lab-images $(cat "$logs/lab-images.secs")s (beside the suites before; e2e waited $(($(date +%s) - t0))s)")
        t0=$(date +%s)
      fi
      "${vitest[@]}" --project e2e --no-file-parallelism
      took e2e "$t0"
      ;;
    *)
      "${vitest[@]}" --project "$s" --no-file-parallelism
      took "$s" "$t0"
      ;;
  esac
done
finish_matrix
# Wall time per step and suite, for the CI log (a failing suite ends the run above: set -e).
summary=$(printf '%s, ' "${times[@]}")
echo "=== wall time: ${summary%, } (total ${SECONDS}s) ==="

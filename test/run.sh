#!/usr/bin/env bash
# `npm test`: provisions what the tests need (real programs, a Docker engine, Compose v2, lab
# images, Node.js 22 and 24), builds the bundle, then runs every suite. A missing program fails;
# nothing is skipped. Budgets and what goes where: docs/ARCHITECTURE.md#tests.
#   TEST_SUITES="unit real"  limits the suites (default: unit real e2e)
#   TEST_NODE_MAJORS="22 24" the Node.js lines the built CLI's real tests run on again ("" for none)
#   E2E_JOBS=2               e2e files run at a time (beside the unit and real suites)
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
bg=()
stop_bg() { for p in "${bg[@]}"; do kill -- "-$p" 2>/dev/null || kill "$p" 2>/dev/null || true; done; }
# A run stopped from outside (CI's time limit) still prints what the background suites logged.
on_exit() {
  stop_bg
  if [ -s "$logs/e2e.log" ]; then echo "=== the e2e suite so far ==="; cat "$logs/e2e.log"; fi
  rm -rf "$logs"
}
trap on_exit EXIT
trap 'exit 143' TERM INT

# Per-file wall times (slowest first) after each suite, for the CI log.
vitest=(node_modules/.bin/vitest run --reporter=default --reporter=./test/support/timings-reporter.ts)

# The e2e suite runs beside the unit and real suites: its files mostly wait on servers booting
# and stacks becoming healthy, which leaves the CPU to the others (serially the suites took
# 15 + 50 minutes here; side by side they fit the 45-minute budget). Its lab images (Debian
# packages, cached by a hash of their inputs: test/lab/README.md) are built first, and
# E2E_JOBS files run at a time, each on its own lab network with servers prepared ahead.
e2e_jobs=${E2E_JOBS:-2}
e2e_pid=
if has e2e; then
  if ! find test/e2e -name '*.test.ts' | grep -q .; then
    echo "suite e2e has no test files yet"
  else
    set -m # its own process group, so stop_bg ends vitest and the lab's children with it
    {
      s=$(date +%s); rc=0
      bash test/lab/build-images.sh --all || rc=$?
      echo "lab-images $(($(date +%s) - s))s" >>"$logs/e2e.times"
      [ "$rc" -eq 0 ] || { echo "=== building the lab images failed (exit $rc) ==="; exit "$rc"; }
      s=$(date +%s)
      echo "=== suite: e2e ($e2e_jobs files at a time, beside the unit and real suites) ==="
      LAB_WARM=${LAB_WARM:-$e2e_jobs} "${vitest[@]}" --project e2e --maxWorkers="$e2e_jobs" --minWorkers=1 || rc=$?
      echo "e2e $(($(date +%s) - s))s" >>"$logs/e2e.times"
      exit "$rc"
    } >"$logs/e2e.log" 2>&1 &
    e2e_pid=$!
    set +m
    bg+=("$e2e_pid")
  fi
fi
node_pid=
if has real && [ -n "$node_majors" ]; then
  # The Node.js binaries of the other lines, fetched while the unit suite runs.
  # shellcheck disable=SC2086 # the majors are words
  bash test/provision/node-versions.sh $node_majors >"$logs/node-bins" 2>"$logs/node-versions.log" &
  node_pid=$!
fi

# The real tests that run the built CLI (dist/, bin/, or a bundle built like it) as a user's Node
# runs it: again on each other Node.js line, vitest itself on that Node (process.execPath is it).
built_cli_tests=(
  test/real/abort-children.test.ts
  test/real/cli-commands.test.ts
  test/real/cli-host.test.ts
  test/real/cli-pipe.test.ts
  test/real/mirror-probe.test.ts
  test/real/mirrors-write.test.ts
  test/real/render-locale.test.ts
  test/real/tui-tmux.test.ts
)

# A failing suite does not stop the others: one run reports every failure (the exit code is the
# first failure's).
failed=()
suite_rc() { # NAME RC
  [ "$2" -eq 0 ] || { failed+=("$1 (exit $2)"); echo "=== suite $1 failed (exit $2) ===" >&2; }
}

for s in $suites; do
  [ "$s" = e2e ] && continue
  echo "=== suite: $s ==="
  if ! find "test/$s" -name '*.test.ts' -o -name '*.test.tsx' | grep -q .; then
    echo "suite $s has no test files yet"; continue
  fi
  t0=$(date +%s); rc=0
  case $s in
    unit)
      # No network, a scratch HOME, this machine's state folders hidden (test/support/unit-sandbox.sh).
      bash test/support/unit-sandbox.sh "${vitest[@]}" --project unit || rc=$?
      ;;
    real)
      "${vitest[@]}" --project real --no-file-parallelism || rc=$?
      ;;
    *)
      "${vitest[@]}" --project "$s" --no-file-parallelism || rc=$?
      ;;
  esac
  took "$s" "$t0"
  suite_rc "$s" "$rc"
  if [ "$s" = real ] && [ -n "$node_pid" ]; then
    rc=0
    wait "$node_pid" || rc=$?
    cat "$logs/node-versions.log"
    if [ "$rc" -ne 0 ]; then
      suite_rc "fetching Node.js $node_majors" "$rc"
    else
      while read -r node; do
        v=$("$node" --version)
        t0=$(date +%s); rc=0
        echo "=== suite: real, the built CLI's tests on Node.js $v ==="
        "$node" "${vitest[@]}" --project real --no-file-parallelism "${built_cli_tests[@]}" || rc=$?
        took "real@$v" "$t0"
        suite_rc "real@$v" "$rc"
      done <"$logs/node-bins"
    fi
  fi
done

if [ -n "$e2e_pid" ]; then
  t0=$(date +%s); rc=0
  wait "$e2e_pid" || rc=$?
  bg=()
  cat "$logs/e2e.log"
  : >"$logs/e2e.log"
  while read -r line; do times+=("$line"); done <"$logs/e2e.times"
  times+=("(the others then waited $(($(date +%s) - t0))s for e2e)")
  suite_rc e2e "$rc"
fi

# Wall time per step and suite, for the CI log.
summary=$(printf '%s, ' "${times[@]}")
echo "=== wall time: ${summary%, } (total ${SECONDS}s) ==="
if [ "${#failed[@]}" -gt 0 ]; then
  echo "=== failed: $(printf '%s; ' "${failed[@]}") ===" >&2
  exit 1
fi

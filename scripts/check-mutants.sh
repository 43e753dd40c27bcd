#!/usr/bin/env bash
# Shows that the algorithm tests can tell a right algorithm from a wrong one: applies each deliberate
# mutant (src/test/resources/mutants/*.patch, see the README there) to a scratch copy of this
# checkout, runs the fast algorithm/gossip unit tests there, and reports which tests fail.
# A mutant that no test kills is a hole in the tests: the script then exits 1.
#
#   scripts/check-mutants.sh                      # every mutant
#   scripts/check-mutants.sh sgp-no-debias ...    # some (file names without .patch)
#   TESTS='ExactIterateTest' scripts/check-mutants.sh   # another test selection (surefire -Dtest)
#
# Offline Maven (-o): run `make build` once first. Nothing in this checkout is changed; the scratch
# copy is removed at the end (KEEP=1 keeps it).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
mutants="$root/src/test/resources/mutants"
tests=${TESTS:-'org.detrain.algo.*Test,org.detrain.gossip.*Test,org.detrain.comm.local.*Test'}
mvn=(mvn -o -q -B -Dstyle.color=never)

names=()
if [ $# -gt 0 ]; then
  names=("$@")
else
  for p in "$mutants"/*.patch; do names+=("$(basename "$p" .patch)"); done
fi
for name in "${names[@]}"; do
  [ -f "$mutants/$name.patch" ] || { echo "check-mutants: no mutant $mutants/$name.patch" >&2; exit 2; }
done

scratch=$(mktemp -d "${TMPDIR:-/tmp}/detrain-mutants.XXXXXX")
cleanup() { if [ "${KEEP:-0}" = 1 ]; then echo "scratch copy kept: $scratch"; else rm -rf "$scratch"; fi; }
trap cleanup EXIT

# The checkout as git sees it (tracked and untracked-but-not-ignored files), without build outputs.
(cd "$root" && git ls-files -co --exclude-standard -z | tar --null -T - -cf -) | (cd "$scratch" && tar -xf -)

# Lists the failed tests of the last run as "Class.method", one per line.
failed_tests() {
  python3 - "$scratch/target/surefire-reports" <<'EOF'
import glob, os, sys, xml.etree.ElementTree as ET
for f in sorted(glob.glob(os.path.join(sys.argv[1], "TEST-*.xml"))):
    for case in ET.parse(f).getroot().iter("testcase"):
        bad = case.find("failure")
        if bad is None:
            bad = case.find("error")
        if bad is not None:
            message = (bad.get("message") or bad.get("type") or "").splitlines()[0] if (bad.get("message") or bad.get("type")) else ""
            print(case.get("classname").rsplit(".", 1)[-1] + "." + case.get("name") + "  -- " + message[:150])
EOF
}

run_tests() {
  rm -rf "$scratch/target/surefire-reports"
  (cd "$scratch" && "${mvn[@]}" test -Dtest="$tests" -Dsurefire.failIfNoSpecifiedTests=false \
      -DtrimStackTrace=true >"$scratch/mvn.log" 2>&1)
}

echo "tests: $tests"
if ! run_tests; then
  echo "the unmodified code fails these tests (see below); fix that first:" >&2
  failed_tests >&2 || tail -40 "$scratch/mvn.log" >&2
  exit 1
fi
echo "unmodified code: all tests pass"

survivors=0
for name in "${names[@]}"; do
  patch_file="$mutants/$name.patch"
  if ! (cd "$scratch" && patch -p1 --forward --no-backup-if-mismatch -s <"$patch_file" >/dev/null); then
    echo "$name: DOES NOT APPLY (the code it mutates changed; regenerate the patch)"
    survivors=$((survivors + 1))
    continue
  fi
  if run_tests; then
    echo "$name: SURVIVED (no test failed)"
    survivors=$((survivors + 1))
  else
    killed=$(failed_tests)
    if [ -z "$killed" ]; then
      echo "$name: the build failed before any test ran:"
      grep -m5 'ERROR' "$scratch/mvn.log" || tail -5 "$scratch/mvn.log"
      survivors=$((survivors + 1))
    else
      echo "$name: KILLED by $(echo "$killed" | wc -l) test(s):"
      echo "$killed" | sed 's/^/    /'
    fi
  fi
  (cd "$scratch" && patch -p1 -R --no-backup-if-mismatch -s <"$patch_file" >/dev/null)
done

echo "${#names[@]} mutant(s), $((${#names[@]} - survivors)) killed"
[ "$survivors" -eq 0 ]

#!/usr/bin/env bash
# make test: every suite runs even when an earlier one fails — the unit tests (surefire), the *IT tests
# against the packaged jars (failsafe), the Python package's tests — and the last line sums them up:
#     N passed, N failed            (", N skipped" when some were skipped)
# Exit code: 0 when everything built and passed, 1 otherwise. Extra arguments go to Maven, e.g.
#     scripts/run-tests.sh -Dtest=MainTest -Dit.test=TrainingIT
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mvn=${MVN:-mvn -q -B -Dstyle.color=never}
# Reports of an earlier run (another -Dtest, a removed class) must not be counted again.
rm -rf target/surefire-reports target/failsafe-reports target/python-tests.log
# maven.test.failure.ignore: a failing unit test does not stop the ITs; the counts below decide.
$mvn verify -Dmaven.test.failure.ignore=true "$@"
maven_rc=$?
mkdir -p target
PYTHONPATH=python /usr/bin/python3 -m unittest discover -s python/tests -t python/tests 2>&1 \
    | tee target/python-tests.log
python_rc=${PIPESTATUS[0]}
exec /usr/bin/python3 scripts/test-counts.py --maven-rc "$maven_rc" --python-rc "$python_rc" \
    target/surefire-reports target/failsafe-reports target/python-tests.log

#!/usr/bin/env python3
"""The closing line of `make test`: tests passed and failed over the JUnit XML reports (surefire,
failsafe) and a Python unittest log, and the exit code (0 only if everything built and passed).

    test-counts.py [--maven-rc RC] [--python-rc RC] REPORT_DIR... PYTHON_LOG
"""
import argparse
import glob
import os
import re
import sys
import xml.etree.ElementTree as ET


def junit_counts(directory):
    """(tests, failed, skipped) over the TEST-*.xml files of a surefire/failsafe report directory."""
    tests = failed = skipped = 0
    for path in sorted(glob.glob(os.path.join(directory, "TEST-*.xml"))):
        suite = ET.parse(path).getroot()
        tests += int(suite.get("tests", 0))
        failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0))
    return tests, failed, skipped


def unittest_counts(log):
    """(tests, failed, skipped) from the summary unittest prints: 'Ran N tests' then 'OK (skipped=K)'
    or 'FAILED (failures=F, errors=E, skipped=K)'; None when the log has no summary (it crashed)."""
    text = open(log, encoding="utf-8", errors="replace").read() if os.path.exists(log) else ""
    ran = re.findall(r"^Ran (\d+) tests? in ", text, re.M)
    if not ran:
        return None
    outcome = text[text.rindex("\nRan "):]
    counts = {k: int(v) for k, v in re.findall(r"(failures|errors|skipped|unexpected successes)=(\d+)", outcome)}
    failed = counts.get("failures", 0) + counts.get("errors", 0) + counts.get("unexpected successes", 0)
    return int(ran[-1]), failed, counts.get("skipped", 0)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--maven-rc", type=int, default=0)
    p.add_argument("--python-rc", type=int, default=0)
    p.add_argument("paths", nargs="+", help="report directories, then the Python log")
    a = p.parse_args()
    tests = failed = skipped = 0
    for d in a.paths[:-1]:
        t, f, s = junit_counts(d)
        tests, failed, skipped = tests + t, failed + f, skipped + s
    notes = []
    py = unittest_counts(a.paths[-1])
    if py is None:
        notes.append("the Python tests did not run to their summary (see above)")
    else:
        tests, failed, skipped = tests + py[0], failed + py[1], skipped + py[2]
        if a.python_rc != 0 and py[1] == 0:
            notes.append("the Python tests exited with %d" % a.python_rc)
    if a.maven_rc != 0:
        notes.append("the Maven build failed (exit %d, see above): its tests may not all have run" % a.maven_rc)
    line = "%d passed, %d failed" % (tests - failed - skipped, failed)
    if skipped:
        line += ", %d skipped" % skipped
    if notes:
        line += " — " + "; ".join(notes)
    print(line)
    return 0 if failed == 0 and not notes else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Summarises PIT's target/pit-reports/mutations.xml: the score per package and every mutant that
was not killed (survived or not covered), for docs/testing.md. Run by `make mutation`."""
import collections
import sys
import xml.etree.ElementTree as ET

path = sys.argv[1] if len(sys.argv) > 1 else "target/pit-reports/mutations.xml"
root = ET.parse(path).getroot()
per = collections.defaultdict(collections.Counter)
left = []
for m in root.iter("mutation"):
    status = m.get("status")
    cls = m.findtext("mutatedClass")
    package = cls.rsplit(".", 1)[0]
    per[package][status] += 1
    if status in ("SURVIVED", "NO_COVERAGE"):
        left.append((cls.rsplit(".", 1)[1], int(m.findtext("lineNumber")), m.findtext("mutatedMethod"), status,
                     m.findtext("description")))

detected = ("KILLED", "TIMED_OUT", "MEMORY_ERROR", "RUN_ERROR")
print(f"{'package':<24} {'mutants':>7} {'killed':>7} {'survived':>8} {'no cover':>8} {'score':>6}")
total = collections.Counter()
for package in sorted(per):
    c = per[package]
    total.update(c)
    n = sum(c.values())
    k = sum(c[s] for s in detected)
    print(f"{package:<24} {n:>7} {k:>7} {c['SURVIVED']:>8} {c['NO_COVERAGE']:>8} {100 * k / n:>5.1f}%")
n = sum(total.values())
k = sum(total[s] for s in detected)
print(f"{'all':<24} {n:>7} {k:>7} {total['SURVIVED']:>8} {total['NO_COVERAGE']:>8} {100 * k / n:>5.1f}%")
print()
print("not killed:")
for cls, line, method, status, description in sorted(left):
    print(f"  {cls}:{line} {method}: {description} [{status}]")

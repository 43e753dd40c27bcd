#!/usr/bin/env python3
"""Summarises PIT's target/pit-reports/mutations.xml: the score per package and every mutant that
was not killed (survived or not covered), for docs/testing.md. Run by `make mutation`.

    scripts/pit-summary.py [mutations.xml] [--require package=percent ...]

Exits 1 if a package named by --require scores below its percentage."""
import argparse
import collections
import sys
import xml.etree.ElementTree as ET

parser = argparse.ArgumentParser()
parser.add_argument("path", nargs="?", default="target/pit-reports/mutations.xml")
parser.add_argument("--require", action="append", default=[], metavar="PACKAGE=PERCENT")
args = parser.parse_args()
root = ET.parse(args.path).getroot()
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

failed = False
for requirement in args.require:
    package, percent = requirement.split("=")
    c = per.get(package)
    score = 100 * sum(c[s] for s in detected) / sum(c.values()) if c else 0
    if score < float(percent):
        print(f"mutation score of {package} is {score:.1f}%, below the required {percent}%: "
              "add tests that kill the non-equivalent survivors (docs/testing.md)", file=sys.stderr)
        failed = True
sys.exit(1 if failed else 0)

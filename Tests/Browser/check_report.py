#!/usr/bin/env python3
"""Loads an `attest audit report` page in headless Chromium and checks what a person would see.

Usage: check_report.py REPORT.html EXPECTED.json

EXPECTED.json: {"total": N, "manifests": N, "receipts": N, "allow": N, "deny": N,
                "regions": {"MX": {"entries": N, "allow": N, "deny": N}, ...},
                "issuers": {"acme-integration": N, ...}, "text": ["must appear in the page's text", ...]}

The DOM is read after the page's script ran (--dump-dom), and Chromium's log is scanned for console errors
and Content-Security-Policy refusals (the page must load nothing). Prints one line per check and a closing
'N passed, N failed' line; exits 1 when any check failed, 2 when Chromium could not run.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser


class Page(HTMLParser):
    """Elements by id, table rows with data-key, every element's attributes, and the visible text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.by_id = {}
        self.rows = {}  # table id -> {data-key: [td attrs...]}
        self.tags = []
        self.text = []
        self._table = []
        self._row = None
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if "id" in a:
            self.by_id[a["id"]] = (tag, a)
        if tag == "table":
            self._table.append(a.get("id"))
        elif tag == "tr" and "data-key" in a and self._table:
            self._row = []
            self.rows.setdefault(self._table[-1], {})[a["data-key"]] = self._row
        elif tag == "td" and self._row is not None:
            self._row.append(a)
        elif tag == "script":
            self._in_script = True

    def handle_endtag(self, tag):
        if tag == "table" and self._table:
            self._table.pop()
        elif tag == "tr":
            self._row = None
        elif tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if not self._in_script:
            self.text.append(data)


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    report, expected_path = os.path.abspath(sys.argv[1]), sys.argv[2]
    expected = json.load(open(expected_path))
    browser = chromium()
    if not browser:
        print("chromium is not installed", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as profile:
        # --no-sandbox: tests run as root here. A fresh profile so nothing is shared between runs.
        cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
               f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000",
               "--dump-dom", "file://" + report]
        try:
            run = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        except subprocess.TimeoutExpired:
            print("chromium did not finish in 120 s", file=sys.stderr)
            return 2
    if run.returncode != 0 or "<html" not in run.stdout:
        print(f"chromium failed (exit {run.returncode}):\n{run.stderr[-2000:]}", file=sys.stderr)
        return 2

    page = Page()
    page.feed(run.stdout)
    text = " ".join(" ".join(page.text).split())
    passed, failed = 0, 0

    def check(ok, what):
        nonlocal passed, failed
        print(("PASS  " if ok else "FAIL  ") + what)
        if ok:
            passed += 1
        else:
            failed += 1

    def count(element_id):
        tag = page.by_id.get(element_id)
        return int(tag[1].get("data-count", "-1")) if tag else None

    # The page's own script ran to the end (it marks <body>), and the browser logged no error.
    body = next((a for t, a in page.tags if t == "body"), {})
    check(body.get("data-ready") == "true", "the page's script ran (body data-ready)")
    console = [l for l in run.stderr.splitlines() if "CONSOLE" in l or "Uncaught" in l or "Refused to" in l]
    check(not console, "no console errors or blocked loads" + ("" if not console else ": " + " | ".join(console[:5])))
    check(not any(t in ("img", "iframe", "link", "object", "embed") for t, _ in page.tags), "no external resource elements")
    check(not any(t == "script" and "src" in a for t, a in page.tags), "no external scripts")

    for element_id, key in (("total", "total"), ("manifests", "manifests"), ("receipts", "receipts"),
                            ("allowed", "allow"), ("denied", "deny")):
        check(count(element_id) == expected[key], f"{element_id}: {count(element_id)} (expected {expected[key]})")

    regions = page.rows.get("by-region", {})
    check(set(regions) == set(expected["regions"]), f"regions {sorted(regions)} (expected {sorted(expected['regions'])})")
    for region, want in expected["regions"].items():
        tds = regions.get(region, [])
        got = {name: next((int(td[attr]) for td in tds if attr in td), None)
               for name, attr in (("entries", "data-count"), ("allow", "data-allow"), ("deny", "data-deny"))}
        check(got == want, f"region {region}: {got} (expected {want})")

    def counted(row):
        return next((int(td["data-count"]) for td in row if "data-count" in td), None)

    issuers = {k: counted(v) for k, v in page.rows.get("by-issuer", {}).items()}
    check(issuers == expected["issuers"], f"issuers {issuers} (expected {expected['issuers']})")

    decisions = {k: counted(v) for k, v in page.rows.get("by-decision", {}).items()}
    want_decisions = {k: v for k, v in (("allow", expected["allow"]), ("deny", expected["deny"])) if v}
    check(decisions == want_decisions, f"decisions {decisions} (expected {want_decisions})")
    check(body.get("data-decisions-total") == str(expected["allow"] + expected["deny"]),
          f"the script's sum of decisions: {body.get('data-decisions-total')}")

    buckets = [a for t, a in page.tags if t == "g" and "data-label" in a]
    allow_sum = sum(int(a["data-allow"]) for a in buckets)
    deny_sum = sum(int(a["data-deny"]) for a in buckets)
    check(allow_sum == expected["allow"] and deny_sum == expected["deny"],
          f"timeline: {len(buckets)} buckets, {allow_sum} allow and {deny_sum} deny")

    denial_rows = [a for t, a in page.tags if t == "tr" and "data-index" in a]
    check(len(denial_rows) == min(expected["deny"], 1000), f"denials table: {len(denial_rows)} rows")

    note = page.by_id.get("checkpoint-note")
    check(note is not None and expected["origin"] in text, "the checkpoint is shown")
    for needle in expected.get("text", []):
        check(needle in text, f"text shown: {needle!r}")

    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

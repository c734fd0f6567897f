#!/usr/bin/env python3
"""Fails when a source file imports a module its target does not declare, or a C module outside its wrapper.

SwiftPM makes a system library's module map visible to every target above the one that declares it, so
`import COpenSSL` would build anywhere. This check holds the layering that Package.swift states: a target
imports only its declared dependencies (which SwiftPM keeps acyclic, so no lower target can name a higher
one) and the platform's own modules; a C module is imported only by the target that declares it, and where
WRAPPERS names files, only in those files.
"""
import json
import os
import re
import subprocess
import sys

PLATFORM = {"Swift", "Glibc", "Musl", "Darwin", "Dispatch", "Synchronization", "_Concurrency", "Foundation",
            "FoundationEssentials"}
# C modules whose declaring target keeps them to the files named here.
WRAPPERS = {"CSQLite": {"SQLite.swift"}, "CLinux": {"Exec.swift", "SealedCopy.swift"}}

IMPORT = re.compile(r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|package|internal|private|fileprivate)\s+)?"
                    r"import\s+(?:(?:struct|class|enum|func|protocol|typealias|var|let)\s+)?(\w+)")


def main() -> int:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    package = json.loads(subprocess.run(["swift", "package", "dump-package"], cwd=root, check=True,
                                        capture_output=True, text=True).stdout)
    targets = {t["name"]: t for t in package["targets"]}
    problems = []
    for name, target in targets.items():
        if target["type"] not in ("regular", "executable"):
            continue
        allowed = set(PLATFORM)
        for dep in target["dependencies"]:
            kind, value = next(iter(dep.items()))
            allowed.add(value[0])
        folder = os.path.join(root, target.get("path") or os.path.join("Sources", name))
        for directory, _, files in os.walk(folder):
            for file in sorted(files):
                if not file.endswith(".swift"):
                    continue
                path = os.path.join(directory, file)
                with open(path, encoding="utf-8") as handle:
                    for number, line in enumerate(handle, 1):
                        match = IMPORT.match(line)
                        if not match:
                            continue
                        module = match.group(1)
                        where = f"{os.path.relpath(path, root)}:{number}"
                        if module not in allowed:
                            problems.append(f"{where}: {name} imports {module}, which it does not declare")
                        elif module in WRAPPERS and file not in WRAPPERS[module]:
                            problems.append(f"{where}: {module} is imported outside its wrapper "
                                            f"({', '.join(sorted(WRAPPERS[module]))})")
    for problem in problems:
        print(f"layering: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"layering: {sum(1 for t in targets.values() if t['type'] in ('regular', 'executable'))} targets checked, no problems")
    return 0


if __name__ == "__main__":
    sys.exit(main())

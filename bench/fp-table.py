"""Per-tree, per-rule findings table for bench/fp-trees.sh's reports."""
import collections
import json
import pathlib
import sys

out = pathlib.Path(sys.argv[1])
rules = ["AUTH-001", "AUTH-002", "AUTH-003", "AUTH-004", "AUTH-005", "AUTH-006", "AUTH-007",
         "TEST-001", "TEST-002", "TEST-003", "TEST-004", "TEST-005", "TEST-006"]
print("| tree | lines | " + " | ".join(rules) + " |")
print("|---|---:|" + "---:|" * len(rules))
for row in (out / "lines.tsv").read_text().splitlines():
    name, lines, _ = row.split("\t")
    lines = int(lines)
    rep = json.loads((out / f"{name}.json").read_text())
    n = collections.Counter(f["rule"] for f in rep["findings"])
    cells = [f"{n[r]} ({n[r] * 10000 / lines:.2f})" if n[r] else "0" for r in rules]
    print(f"| {name} | {lines:,} | " + " | ".join(cells) + " |")

"""Summarise scripts/compare-peers output: per shared rule, files flagged by each tool."""
import json
import os
import sys
from collections import defaultdict

out = sys.argv[1]
norm = lambda p: os.path.normpath(p)

ll = json.load(open(os.path.join(out, "lambdalint.json")))
ours = defaultdict(set)
for d in ll["diagnostics"]:
    ours[d["code"]].add(norm(d["file"]))

cfn = defaultdict(set)
try:
    for m in json.load(open(os.path.join(out, "cfn-lint.json"))):
        cfn[m["Rule"]["Id"]].add(norm(m["Filename"]))
except (OSError, ValueError) as e:
    print("cfn-lint output unreadable:", e)

ckv = defaultdict(set)
names = {}
try:
    mapping = dict(l.rstrip("\n").split("\t", 1) for l in open(os.path.join(out, "checkov-map.tsv")))
    data = json.load(open(os.path.join(out, "checkov.json")))
    reports = data if isinstance(data, list) else [data]
    for r in reports:
        for c in r.get("results", {}).get("failed_checks", []):
            f = os.path.basename(c["file_path"])
            ckv[c["check_id"]].add(norm(mapping.get(f, f)))
            names[c["check_id"]] = c.get("check_name", "")
except (OSError, ValueError) as e:
    print("checkov output unreadable:", e)

pairs = [
    ("LMB001", "ES1007", "CKV_AWS_116"),
    ("LMB002", "ES1001", None),
    ("SQS001", "ES6000", None),
    ("LMB010", "ES1006", None),
    ("IAM001", "WS1003", "CKV_AWS_111"),
    ("RDS001", None, "CKV_AWS_115"),
    ("VPC001", None, "CKV_AWS_117"),
]
print(f"{'ours':8} {'files':>6} | {'cfn-lint':8} {'files':>6} {'both':>5} {'only us':>7} {'only it':>7} | {'checkov':12} {'files':>6}")
for a, b, c in pairs:
    A = ours.get(a, set())
    B = cfn.get(b, set()) if b else set()
    C = ckv.get(c, set()) if c else set()
    print(f"{a:8} {len(A):6} | {str(b):8} {len(B):6} {len(A & B):5} {len(A - B):7} {len(B - A):7} | {str(c):12} {len(C):6}")
    with open(os.path.join(out, f"diff-{a}.txt"), "w") as f:
        f.write(f"# only lambdalint {a} (not {b})\n" + "\n".join(sorted(A - B)) + "\n")
        f.write(f"# only cfn-lint {b} (not {a})\n" + "\n".join(sorted(B - A)) + "\n")
print("serverless-rules ids seen:", sorted(k for k in cfn if k[:2] in ("ES", "WS", "EW")))
print("checkov checks seen (top 15):", sorted(((len(v), k, names.get(k, "")) for k, v in ckv.items()), reverse=True)[:15])

"""Summarise scripts/compare-peers output: per shared rule, files flagged by each tool."""
import glob
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
for chunk in sorted(glob.glob(os.path.join(out, "cfn-lint", "out.*.json"))):
    try:
        for m in json.load(open(chunk)):
            cfn[m["Rule"]["Id"]].add(norm(m["Filename"]))
    except (OSError, ValueError) as e:
        print("cfn-lint output unreadable:", chunk, e)

ckv = defaultdict(set)
names = {}


def reports(x):
    """checkov prints one report (a dict) or a list of them; the per-file fallback nests lists."""
    if isinstance(x, list):
        for y in x:
            yield from reports(y)
    elif isinstance(x, dict):
        yield x


try:
    mapping = dict(l.rstrip("\n").split("\t", 1) for l in open(os.path.join(out, "checkov-map.tsv")))
except OSError as e:
    mapping = {}
    print("checkov map unreadable:", e)
by_real = {os.path.realpath(v): v for v in mapping.values()}
unmapped = set()
for chunk in sorted(glob.glob(os.path.join(out, "checkov", "out.*.json"))):
    try:
        data = json.load(open(chunk))
    except (OSError, ValueError) as e:
        print("checkov output unreadable:", chunk, e)
        continue
    for r in reports(data):
        for c in r.get("results", {}).get("failed_checks", []):
            f = os.path.basename(c["file_path"])
            path = mapping.get(f) or by_real.get(os.path.realpath(c.get("file_abs_path", "")))
            if path is None:
                unmapped.add(c["file_path"])
                continue
            ckv[c["check_id"]].add(norm(path))
            names[c["check_id"]] = c.get("check_name", "")
if unmapped:
    print("checkov results not mapped to a template:", len(unmapped))

# (our rule, peer, peer rule): the peers' closest rule for each of ours. The semantics differ (see
# docs/peers.md): checkov's Lambda checks apply to every function whatever invokes it.
pairs = [
    ("LMB001", "cfn-lint", "ES1007"),
    ("LMB001", "checkov", "CKV_AWS_116"),
    ("LMB002", "cfn-lint", "ES1001"),
    ("SQS001", "cfn-lint", "ES6000"),
    ("LMB010", "cfn-lint", "ES1006"),
    ("IAM001", "cfn-lint", "WS1003"),
    ("IAM001", "checkov", "CKV_AWS_63"),
    ("IAM002", "checkov", "CKV_AWS_111"),
    ("RDS001", "checkov", "CKV_AWS_115"),
    ("VPC001", "checkov", "CKV_AWS_117"),
]
peers = {"cfn-lint": cfn, "checkov": ckv}
print(f"{'ours':7} {'files':>5} | {'peer':8} {'rule':12} {'files':>5} | {'both':>5} {'only us':>7} {'only peer':>9}")
for a, tool, b in pairs:
    A = ours.get(a, set())
    B = peers[tool].get(b, set())
    print(f"{a:7} {len(A):5} | {tool:8} {b:12} {len(B):5} | {len(A & B):5} {len(A - B):7} {len(B - A):9}")
    with open(os.path.join(out, f"diff-{a}-{b}.txt"), "w") as f:
        f.write(f"# only lambdalint {a} (not {tool} {b})\n" + "\n".join(sorted(A - B)) + "\n")
        f.write(f"# only {tool} {b} (not lambdalint {a})\n" + "\n".join(sorted(B - A)) + "\n")
print("lambdalint rules (files):", ", ".join(f"{k} {len(v)}" for k, v in sorted(ours.items())))
print("serverless-rules ids seen (files):", ", ".join(f"{k} {len(v)}" for k, v in sorted(cfn.items()) if k[:2] in ("ES", "WS")))
print("checkov Lambda/IAM/SQS checks seen (files):")
for k, v in sorted(ckv.items()):
    n = names.get(k, "")
    if any(w in n for w in ("IAM", "Lambda", "SQS", "Dead Letter")):
        print(f"  {k:12} {len(v):5}  {n}")

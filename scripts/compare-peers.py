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

# The templates each peer ran on: every chunk of cfn-lint / checkov that has an output. A run cut
# short (or a chunk that failed) leaves its files out of that peer's pairs, on both sides.
def covered(tool_dir, chunk_glob, to_path):
    files = set()
    for chunk in sorted(glob.glob(os.path.join(out, *chunk_glob))):
        n = chunk.rsplit(".", 1)[1]
        if os.path.exists(os.path.join(out, tool_dir, f"out.{n}.json")):
            files.update(to_path(l.rstrip("\n")) for l in open(chunk) if l.strip())
    return files


by_view = {os.path.basename(k): v for k, v in mapping.items()}
ran = {
    "cfn-lint": covered("cfn-lint", ["chunk.*"], norm),
    "checkov": covered("checkov", ["checkov", "chunk.*"], lambda l: norm(by_view.get(os.path.basename(l), l))),
}
try:
    total = sum(1 for l in open(os.path.join(out, "templates.txt")) if l.strip())
except OSError:
    total = 0
for tool, files in ran.items():
    if len(files) < total:
        print(f"{tool} ran on {len(files)} of {total} templates: its pairs compare those files only")

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
    # Issue 13 (docs/peers.md "Issue 13 rules and their peers").
    ("LMB040", "checkov", "CKV_AWS_45"),
    ("LMB050", "cfn-lint", "WS1004"),
    ("LMB050", "checkov", "CKV_AWS_66"),
    ("LMB051", "cfn-lint", "WS1000"),
    ("LMB060", "cfn-lint", "E2531"),
    ("LMB060", "cfn-lint", "W2531"),
    ("LMB060", "cfn-lint", "E2533"),
    ("LMB060", "checkov", "CKV_AWS_363"),
    ("IAM010", "cfn-lint", "W3663"),
    ("IAM010", "checkov", "CKV_AWS_364"),
    ("IAM010", "checkov", "CKV_AWS_258"),
    ("SNS001", "cfn-lint", "ES7000"),
    ("EVB001", "cfn-lint", "ES4000"),
    ("APIGW001", "cfn-lint", "ES2003"),
    ("APIGW002", "cfn-lint", "ES2000"),
    ("APIGW002", "checkov", "CKV_AWS_76"),
    ("APIGW002", "checkov", "CKV_AWS_95"),
]
peers = {"cfn-lint": cfn, "checkov": ckv}
print(f"{'ours':8} {'files':>5} | {'peer':8} {'rule':12} {'files':>5} | {'both':>5} {'only us':>7} {'only peer':>9}")
for a, tool, b in pairs:
    A = ours.get(a, set()) & ran[tool] if ran[tool] else ours.get(a, set())
    B = peers[tool].get(b, set())
    print(f"{a:8} {len(A):5} | {tool:8} {b:12} {len(B):5} | {len(A & B):5} {len(A - B):7} {len(B - A):9}")
    with open(os.path.join(out, f"diff-{a}-{b}.txt"), "w") as f:
        f.write(f"# only lambdalint {a} (not {tool} {b})\n" + "\n".join(sorted(A - B)) + "\n")
        f.write(f"# only {tool} {b} (not lambdalint {a})\n" + "\n".join(sorted(B - A)) + "\n")
print("lambdalint rules (files):", ", ".join(f"{k} {len(v)}" for k, v in sorted(ours.items())))
print("serverless-rules ids seen (files):", ", ".join(f"{k} {len(v)}" for k, v in sorted(cfn.items()) if k[:2] in ("ES", "WS")))
print("cfn-lint Lambda runtime / permission ids seen (files):", ", ".join(f"{k} {len(cfn.get(k, ()))}" for k in ("E2531", "W2531", "E2533", "W3663")))
print("checkov Lambda/IAM/SQS checks seen (files):")
for k, v in sorted(ckv.items()):
    n = names.get(k, "")
    if any(w in n for w in ("IAM", "Lambda", "SQS", "Dead Letter", "API Gateway", "Log Group")):
        print(f"  {k:12} {len(v):5}  {n}")

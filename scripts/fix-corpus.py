#!/usr/bin/env python3
"""Validate `lambdalint check --fix --unsafe-fixes` on a corpus of real templates.

Usage: scripts/fix-corpus [CORPUS_DIR] [--binary PATH] [--keep DIR] [--no-cfn-lint] [--no-sam]

Copies CORPUS_DIR (default ../shared/corpus) to a temporary folder, checks it (JSON), runs
`check --fix --unsafe-fixes` on the copy, checks it again and verifies for every changed file:

- it still parses (YAML with CloudFormation tags, or JSON);
- the findings fixed are gone and no finding is new: for every (file, code, resource), the count
  after is at most the count before, and the total drop equals what `--fix` says it fixed;
- no comment is lost (every `# ...` of the original is still in the file);
- cfn-lint (PyPI, 1.58) reports no E-level rule on the fixed file that it did not report on the
  original (needs `cfn-lint` on PATH or in $CFN_LINT);
- SAM templates that aws-sam-translator (PyPI) transformed before still transform.

Prints the numbers and exits 1 when a check fails. Not part of `cargo test`.
"""

import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def findings(binary, root):
    r = run([binary, "check", "--no-config", "--format", "json", "--fail-on", "error", "."], cwd=root)
    data = json.loads(r.stdout)
    c = collections.Counter()
    for d in data["diagnostics"]:
        c[(d["file"], d["code"], d["resource"] or "")] += 1
    return c, data


def parses(path, text):
    if path.endswith(".json"):
        try:
            json.loads(text)
            return True
        except ValueError:
            return False
    try:
        import yaml
    except ImportError:
        return True

    class Loader(yaml.SafeLoader):
        pass

    def any_tag(loader, suffix, node):
        if isinstance(node, yaml.ScalarNode):
            return loader.construct_scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node)
        return loader.construct_mapping(node)

    Loader.add_multi_constructor("!", any_tag)
    try:
        yaml.load(text, Loader=Loader)
        return True
    except yaml.YAMLError:
        return False


COMMENT = re.compile(r"(?:^|\s)(#.*)$")


def comments(text):
    out = []
    for line in text.splitlines():
        m = COMMENT.search(line)
        if m:
            out.append(m.group(1).rstrip())
    return out


def cfn_lint_errors(cfn_lint, files, cwd):
    """file -> set of E rule ids."""
    out = collections.defaultdict(set)
    for i in range(0, len(files), 50):
        batch = files[i : i + 50]
        r = run([cfn_lint, "-f", "json", "--"] + batch, cwd=cwd)
        try:
            res = json.loads(r.stdout or "[]")
        except ValueError:
            continue
        for m in res:
            rid = m.get("Rule", {}).get("Id", "")
            if rid.startswith("E"):
                out[os.path.relpath(m.get("Filename", ""), cwd)].add(rid)
    return out


SAM_CHECK = r"""
import json, sys
from cfnlint.decode import decode
from samtranslator.translator.transform import transform
class Loader:
    def load(self):
        return {}
import datetime
def packaged(v):
    # What `sam package` does: local code and definition paths become S3 locations (and YAML
    # dates such as an unquoted policy `Version` are read back as the strings CloudFormation sees).
    if isinstance(v, dict):
        for k in list(v):
            if k in ("CodeUri", "ContentUri", "DefinitionUri") and isinstance(v[k], str) and not v[k].startswith("s3://"):
                v[k] = "s3://bucket/key"
            elif isinstance(v[k], datetime.date):
                v[k] = v[k].isoformat()
            else:
                packaged(v[k])
    elif isinstance(v, list):
        for i, x in enumerate(v):
            if isinstance(x, datetime.date):
                v[i] = x.isoformat()
            else:
                packaged(x)
ok = {}
for f in sys.argv[1:]:
    try:
        tpl, err = decode(f)
        if err or not isinstance(tpl, dict):
            ok[f] = False
            continue
        packaged(tpl)
        transform(tpl, {}, Loader())
        ok[f] = True
    except Exception:
        ok[f] = False
print(json.dumps(ok))
"""


def sam_transforms(python, files, cwd):
    if not files:
        return {}
    env = dict(os.environ, AWS_DEFAULT_REGION=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))
    r = run([python, "-c", SAM_CHECK] + files, cwd=cwd, env=env)
    try:
        return json.loads(r.stdout)
    except ValueError:
        print("aws-sam-translator check failed:", r.stderr[-2000:], file=sys.stderr)
        return {}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(here)
    ap = argparse.ArgumentParser()
    default = next(
        (c for c in (os.path.join(repo, "..", "shared", "corpus"), os.path.join(repo, "..", "..", "shared", "corpus"))
         if os.path.isdir(c)),
        os.path.join(repo, "..", "shared", "corpus"),
    )
    ap.add_argument("corpus", nargs="?", default=default)
    ap.add_argument("--binary", default=os.environ.get("LAMBDALINT"))
    ap.add_argument("--keep", help="copy the corpus here and keep it")
    ap.add_argument("--no-cfn-lint", action="store_true")
    ap.add_argument("--no-sam", action="store_true")
    args = ap.parse_args()
    binary = args.binary
    if not binary:
        for p in ("target/release/lambdalint", "target/debug/lambdalint"):
            if os.path.exists(os.path.join(repo, p)):
                binary = os.path.join(repo, p)
                break
    if not binary:
        sys.exit("build lambdalint first (cargo build --release) or pass --binary")
    binary = os.path.abspath(binary)

    work = args.keep or tempfile.mkdtemp(prefix="fix-corpus-")
    orig = os.path.join(work, "original")
    fixed = os.path.join(work, "fixed")
    for d in (orig, fixed):
        if os.path.exists(d):
            shutil.rmtree(d)
        shutil.copytree(args.corpus, d, symlinks=True)

    before, data_before = findings(binary, fixed)
    r = run([binary, "check", "--no-config", "--fix", "--unsafe-fixes", "--format", "json", "."], cwd=fixed)
    m = re.search(r"Fixed (\d+) findings? \((\d+) remaining\)", r.stderr)
    if not m:
        sys.exit(f"no summary from --fix:\n{r.stderr[-3000:]}")
    fixed_n, remaining_n = int(m.group(1)), int(m.group(2))
    rejected = [l for l in r.stderr.splitlines() if "fix not applied" in l]
    errors = [l for l in r.stderr.splitlines() if "error:" in l]
    after, _ = findings(binary, fixed)
    # A second run changes nothing.
    r2 = run([binary, "check", "--no-config", "--diff", "--unsafe-fixes", "."], cwd=fixed)

    changed = []
    for dirpath, _, names in os.walk(fixed):
        for n in names:
            p = os.path.join(dirpath, n)
            rel = os.path.relpath(p, fixed)
            o = os.path.join(orig, rel)
            if os.path.islink(p) or not os.path.isfile(o):
                continue
            with open(o, "rb") as f1, open(p, "rb") as f2:
                if f1.read() != f2.read():
                    changed.append(rel)
    changed.sort()

    problems = collections.defaultdict(list)
    new = {k: v - before.get(k, 0) for k, v in after.items() if v > before.get(k, 0)}
    for k, v in sorted(new.items()):
        problems["new finding"].append(f"{k[0]}: {k[1]} {k[2]} (+{v})")
    drop = sum(before.values()) - sum(after.values())
    if drop != fixed_n:
        problems["fixed count"].append(f"--fix says {fixed_n} fixed, the re-check has {drop} fewer findings")
    if sum(after.values()) != remaining_n:
        problems["remaining count"].append(f"--fix says {remaining_n} remain, the re-check has {sum(after.values())}")
    if r2.stdout.strip():
        problems["idempotence"].append(r2.stdout[:2000])
    by_code = collections.Counter()
    for k, v in before.items():
        by_code[k[1]] += v - after.get(k, 0)
    for rel in changed:
        t0 = open(os.path.join(orig, rel), encoding="utf-8", errors="replace").read()
        t1 = open(os.path.join(fixed, rel), encoding="utf-8", errors="replace").read()
        if not parses(rel, t1) and parses(rel, t0):
            problems["does not parse"].append(rel)
        c1 = collections.Counter(comments(t1))
        for c, n in collections.Counter(comments(t0)).items():
            if c1[c] < n:
                problems["comment lost"].append(f"{rel}: {c}")
        all_crlf = t0.count("\n") > 0 and t0.count("\n") == t0.count("\r\n")
        if (all_crlf and t1.count("\n") != t1.count("\r\n")) or ("\r\n" not in t0 and "\r\n" in t1):
            problems["line endings"].append(rel)

    cfn_new = 0
    if not args.no_cfn_lint:
        cfn_lint = os.environ.get("CFN_LINT") or shutil.which("cfn-lint")
        if cfn_lint:
            v = run([cfn_lint, "--version"]).stdout.strip()
            e0 = cfn_lint_errors(cfn_lint, changed, orig)
            e1 = cfn_lint_errors(cfn_lint, changed, fixed)
            for rel in changed:
                extra = e1.get(rel, set()) - e0.get(rel, set())
                if extra:
                    cfn_new += 1
                    problems["new cfn-lint error"].append(f"{rel}: {sorted(extra)}")
            print(f"cfn-lint: {v}, {len(changed)} changed files linted before and after")
        else:
            print("cfn-lint: not found, skipped (pip install cfn-lint==1.58.0; or set CFN_LINT)")
    sam_checked = sam_broken = 0
    if not args.no_sam:
        python = os.environ.get("SAM_PYTHON") or sys.executable
        sam = [rel for rel in changed if "AWS::Serverless" in open(os.path.join(orig, rel), errors="replace").read()]
        s0 = sam_transforms(python, sam, orig)
        s1 = sam_transforms(python, sam, fixed)
        for rel in sam:
            if s0.get(rel):
                sam_checked += 1
                if not s1.get(rel):
                    sam_broken += 1
                    problems["SAM no longer transforms"].append(rel)
        print(f"aws-sam-translator: {len(sam)} changed SAM templates, {sam_checked} transformed before")

    print(f"templates checked: {data_before['summary'].get('templates', '?')}")
    print(f"findings before: {sum(before.values())}, after: {sum(after.values())}")
    print(f"fixed (as --fix reports): {fixed_n}, remaining: {remaining_n}")
    print(f"files changed: {len(changed)}")
    print("fixed by rule: " + ", ".join(f"{c} {n}" for c, n in sorted(by_code.items()) if n))
    print(f"fixes dropped because their result did not load: {len(rejected)}")
    for l in rejected[:20]:
        print("  " + l)
    print(f"write errors: {len(errors)}")
    for l in errors[:20]:
        print("  " + l)
    failed = False
    for kind in ("does not parse", "new finding", "fixed count", "remaining count", "comment lost",
                 "line endings", "idempotence", "new cfn-lint error", "SAM no longer transforms"):
        items = problems.get(kind, [])
        print(f"{kind}: {len(items)}")
        for i in items[:15]:
            print("  " + i)
        failed |= bool(items)
    print(f"work folder: {work}")
    sys.exit(1 if failed or errors else 0)


if __name__ == "__main__":
    main()

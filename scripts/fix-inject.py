#!/usr/bin/env python3
"""Inject defects into real templates and check that `--fix --unsafe-fixes` repairs them.

Usage: scripts/fix-inject [CORPUS_DIR] [--binary PATH] [--per-kind N] [--keep DIR] [--no-cfn-lint] [--no-sam]

For each kind of defect below, takes up to N templates of CORPUS_DIR (default ../shared/corpus;
sorted by path, so the selection is the same on every run) that have no finding of the defect's
rule, injects the defect with a minimal text edit (remove a `Timeout` line, turn `Tracing: Active`
into `PassThrough`, widen an action to `service:*`, ...) until N injected templates are reported
by the rule (an edit that did not make the defect is dropped), and runs scripts/fix-corpus.py on that folder of injected templates. So the same
properties are checked as on the corpus (every fixed file parses, fixed findings are gone, no new
finding, no comment lost, no new cfn-lint E-level error, SAM still transforms), and on top of
them: how many injected findings `--fix` removed, per rule, and which it left (no fix offered,
for example IAM001 without handler code, or SQS001 on a queue whose consumer is outside the
template).

Prints the numbers; exits 1 when fix-corpus reports a failed check. Not part of `cargo test`.
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

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def codes_by_file(binary, root):
    r = run([binary, "check", "--no-config", "--format", "json", "--fail-on", "error", "."], cwd=root)
    data = json.loads(r.stdout)
    out = collections.defaultdict(collections.Counter)
    for d in data["diagnostics"]:
        out[d["file"]][d["code"]] += 1
    return out


# ---------------------------------------------------------------- injections
# Each takes the text and the file name and returns the injected text, or None when the template
# has nothing to inject into. Edits are line based and keep everything else byte for byte.


def _lines(text):
    return text.splitlines(keepends=True)


def _json_drop_line(lines, i):
    """Remove JSON member line i; fix the comma of the previous member when i was the last."""
    line = lines[i]
    del lines[i]
    if not line.rstrip().endswith(","):
        j = i - 1
        while j >= 0 and not lines[j].strip():
            j -= 1
        if j >= 0 and lines[j].rstrip().endswith(","):
            body = lines[j].rstrip("\r\n")
            ending = lines[j][len(body):]
            lines[j] = body[:-1] + ending
    return "".join(lines)


def drop_key_line(key, value_re=r"[^{\[\s].*"):
    """Remove the first one-line `key: value` (YAML block) / `"key": value` (JSON) member."""
    yaml_re = re.compile(r"^(\s+)" + key + r":\s*" + value_re + r"$")
    json_re = re.compile(r'^\s+"' + key + r'"\s*:\s*[^{\[]*?,?\s*$')

    def f(text, name):
        lines = _lines(text)
        is_json = name.endswith(".json") or text.lstrip().startswith("{")
        for i, l in enumerate(lines):
            body = l.rstrip("\r\n")
            if is_json and json_re.match(body):
                return _json_drop_line(lines, i)
            if not is_json and yaml_re.match(body) and "#" not in body:
                del lines[i]
                return "".join(lines)
        return None

    return f


def replace_value(key, old_re, new):
    """Replace the value of the first `key: <old>` whose value matches `old_re` by `new`."""
    pat = re.compile(r'^(?P<k>\s+"?' + key + r'"?\s*:\s*)(?P<q>["\']?)(?P<v>' + old_re
                     + r")(?P=q)(?P<t>\s*,?\s*(#.*)?)$")

    def f(text, name):
        lines = _lines(text)
        for i, l in enumerate(lines):
            body = l.rstrip("\r\n")
            m = pat.match(body)
            if m:
                v = new(m.group("v")) if callable(new) else new
                lines[i] = m.group("k") + m.group("q") + v + m.group("q") + m.group("t") + l[len(body):]
                return "".join(lines)
        return None

    return f


def old_runtime(v):
    if v.startswith("python"):
        return "python3.8"
    if v.startswith("nodejs"):
        return "nodejs16.x"
    if v.startswith("java"):
        return "java8"
    return "go1.x"


def widen_action(text, name):
    """`service:Verb` -> `service:*` for the first action of an inline policy statement."""
    pat = re.compile(r'^(\s*(?:-\s+|"?Action"?\s*:\s*)?["\']?)([a-z0-9-]+):([A-Z][A-Za-z0-9]+)(["\']?\s*,?\s*)$')
    lines = _lines(text)
    in_action = False
    for i, l in enumerate(lines):
        body = l.rstrip("\r\n")
        s = body.strip()
        if re.match(r'^-?\s*"?Action"?\s*:', s):
            in_action = True
        elif re.match(r'^-?\s*"?(Resource|Effect|Condition|Sid|Principal)"?\s*:', s):
            in_action = False
        if not in_action:
            continue
        m = pat.match(body)
        if m and m.group(2) not in ("sts", "logs", "xray"):
            lines[i] = m.group(1) + m.group(2) + ":*" + m.group(4) + l[len(body):]
            return "".join(lines)
    return None


def drop_yaml_block(key):
    """Remove a YAML block-style `key:` entry and everything indented under it."""

    def f(text, name):
        if name.endswith(".json"):
            return None
        lines = _lines(text)
        for i, l in enumerate(lines):
            m = re.match(r"^(\s+)" + key + r":\s*(#.*)?$", l.rstrip("\r\n"))
            if not m:
                continue
            ind = len(m.group(1))
            j = i + 1
            while j < len(lines):
                s = lines[j].rstrip("\r\n")
                if s.strip() and (len(s) - len(s.lstrip())) <= ind:
                    break
                if s.strip().startswith("#"):
                    break
                j += 1
            del lines[i:j]
            return "".join(lines)
        return None

    return f


KINDS = [
    # (name, rule, injection)
    ("remove-timeout", "LMB010", drop_key_line("Timeout", r"\d+")),
    ("remove-retention", "LMB050", drop_key_line("RetentionInDays", r"\d+")),
    ("tracing-passthrough", "LMB051", replace_value("Tracing", "Active", "PassThrough")),
    ("tracing-mode-passthrough", "LMB051", replace_value("Mode", "Active", "PassThrough")),
    ("receive-count-1", "SQS011", replace_value("maxReceiveCount", r"\d+", "1")),
    ("data-trace-on", "APIGW003", replace_value("DataTraceEnabled", "false", "true")),
    ("old-runtime", "LMB060", replace_value("Runtime", r"(python3\.1\d|nodejs2\d\.x|java21)", old_runtime)),
    ("service-wildcard", "IAM001", widen_action),
    ("remove-redrive", "SQS001", drop_yaml_block("RedrivePolicy")),
    ("retry-forever", "LMB003", replace_value("MaximumRetryAttempts", r"\d+", "-1")),
    ("dlq-retention-1-minute", "SQS002", replace_value("MessageRetentionPeriod", r"\d+", "60")),
    ("remove-rule-dlq", "EVB001", drop_yaml_block("DeadLetterConfig")),
    ("remove-subscription-redrive", "SNS001", drop_yaml_block("RedrivePolicy")),
]


def main():
    ap = argparse.ArgumentParser()
    default = next(
        (c for c in (os.path.join(REPO, "..", "shared", "corpus"), os.path.join(REPO, "..", "..", "shared", "corpus"))
         if os.path.isdir(c)),
        os.path.join(REPO, "..", "shared", "corpus"),
    )
    ap.add_argument("corpus", nargs="?", default=default)
    ap.add_argument("--binary", default=os.environ.get("LAMBDALINT"))
    ap.add_argument("--per-kind", type=int, default=4)
    ap.add_argument("--keep", help="build the injected folder here and keep it")
    ap.add_argument("--no-cfn-lint", action="store_true")
    ap.add_argument("--no-sam", action="store_true")
    args = ap.parse_args()
    binary = args.binary
    if not binary:
        for p in ("target/release/lambdalint", "target/debug/lambdalint"):
            if os.path.exists(os.path.join(REPO, p)):
                binary = os.path.join(REPO, p)
                break
    if not binary:
        sys.exit("build lambdalint first (cargo build --release) or pass --binary")
    binary = os.path.abspath(binary)
    corpus = os.path.abspath(args.corpus)

    work = args.keep or tempfile.mkdtemp(prefix="fix-inject-")
    injected = os.path.join(work, "injected")
    if os.path.exists(injected):
        shutil.rmtree(injected)
    os.makedirs(injected)

    before = codes_by_file(binary, corpus)
    # Every file that could be a template (one without findings is not in `before`).
    listed = set()
    for root, _, names in os.walk(corpus):
        for n in names:
            if n.endswith((".yaml", ".yml", ".json", ".template")):
                listed.add(os.path.relpath(os.path.join(root, n), corpus))
    templates = sorted(listed)

    kept = []  # (kind, rule, rel)
    tried = 0
    for kind, rule, inject in KINDS:
        n = 0
        for rel in templates:
            if n >= args.per_kind:
                break
            # Not read when a folder is checked (cookiecutter sources), or not a file to fix.
            if rel.endswith(("serverless.yml", "serverless.yaml")) or "cdk.out" in rel or "{{" in rel:
                continue
            if before.get(rel, {}).get(rule):
                continue
            path = os.path.join(corpus, rel)
            try:
                text = open(path, encoding="utf-8", newline="").read()
            except (UnicodeDecodeError, OSError):
                continue
            if "Resources" not in text:
                continue
            new = inject(text, rel)
            if new is None or new == text:
                continue
            dest = os.path.join(injected, kind, rel)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with open(dest, "w", encoding="utf-8", newline="") as f:
                f.write(new)
            tried += 1
            # Keep it when the rule now reports (else the edit did not make the defect: the
            # `Timeout` of another resource type, a queue nobody consumes, ...).
            # (All rules, as in the folder run: a finding can be grouped into another one.)
            rr = run([binary, "check", "--no-config", "--format", "json", "--fail-on", "error",
                      os.path.join(kind, rel)], cwd=injected)
            try:
                hit = any(d["code"] == rule for d in json.loads(rr.stdout)["diagnostics"])
            except (ValueError, KeyError):
                hit = False
            if hit:
                kept.append((kind, rule, os.path.join(kind, rel)))
                n += 1
            else:
                os.remove(dest)

    # Every kept template is read when the folder is checked (else fix-corpus would not fix it).
    present = codes_by_file(binary, injected)
    missing = [k for k in kept if not present.get(k[2], {}).get(k[1])]
    if missing:
        sys.exit(f"injected templates not reported when the folder is checked: {missing}")
    print(f"injections tried: {tried}, reported by their rule (kept): {len(kept)}, "
          f"from {len({k[2].split(os.sep, 1)[1] for k in kept})} distinct corpus templates")

    cmd = [sys.executable, os.path.join(HERE, "fix-corpus.py"), injected, "--binary", binary,
           "--keep", os.path.join(work, "run")]
    if args.no_cfn_lint:
        cmd.append("--no-cfn-lint")
    if args.no_sam:
        cmd.append("--no-sam")
    fc = run(cmd)
    print("---- fix-corpus on the injected templates")
    print(fc.stdout.rstrip())
    if fc.stderr.strip():
        print(fc.stderr.rstrip()[-3000:], file=sys.stderr)

    after = codes_by_file(binary, os.path.join(work, "run", "fixed"))
    by_rule = collections.defaultdict(lambda: [0, 0])
    left = []
    for kind, rule, rel in kept:
        by_rule[(kind, rule)][0] += 1
        if after.get(rel, {}).get(rule):
            left.append(f"{rel}: {rule} x{after[rel][rule]}")
        else:
            by_rule[(kind, rule)][1] += 1
    print("---- injected defects fixed, by kind")
    for (kind, rule), (n, fixed) in sorted(by_rule.items()):
        print(f"{kind} ({rule}): {fixed}/{n} fixed")
    print(f"total: {sum(v[1] for v in by_rule.values())}/{len(kept)} injected findings fixed")
    for l in left:
        print("  left: " + l)
    print(f"work folder: {work}")
    sys.exit(fc.returncode)


if __name__ == "__main__":
    main()

//! A cheap, always-on property test: random mutations of the fixtures (fixed seed, no extra
//! dependency) never make the loaders or the check pipeline panic. The coverage-guided fuzzing
//! lives in `fuzz/` (cargo-fuzz, nightly).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use lambdalint::source::Format;

const MUTATIONS: usize = 2_000;

/// xorshift64*: deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Pieces that matter to YAML, JSON and the CloudFormation model.
const TOKENS: &[&str] = &[
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    ": ",
    "- ",
    "\n",
    "\r\n",
    "\t",
    " ",
    "  ",
    "\"",
    "'",
    "#",
    "&a ",
    "*a",
    "!Ref ",
    "!GetAtt ",
    "!Sub ",
    "!If ",
    "!Unknown ",
    "!!str ",
    "? ",
    "|",
    ">-",
    "---\n",
    "...\n",
    "%YAML 1.2\n",
    "\\u0000",
    "\u{feff}",
    "é",
    "\u{1F600}",
    "Ref",
    "Fn::GetAtt",
    "Fn::If",
    "Fn::Sub",
    "Fn::ImportValue",
    "Resources",
    "Globals",
    "Function",
    "Properties",
    "Type",
    "Events",
    "Timeout",
    "Role",
    "Policies",
    "Statement",
    "AWS::Serverless::Function",
    "AWS::Lambda::Function",
    "AWS::SQS::Queue",
    "AWS::IAM::Role",
    "AWS::Lambda::EventSourceMapping",
    "null",
    "true",
    "0x1F",
    "-1",
    "1e999",
    "99999999999999999999",
    ".nan",
];

fn fixtures() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "json")
            ) {
                out.push(p);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let mut out = Vec::new();
    for sub in ["rules", "projects", "loader"] {
        walk(&root.join(sub), &mut out);
    }
    out.sort();
    out
}

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut b = input.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(b.len() + 1);
        match rng.below(7) {
            0 => {
                let t = TOKENS[rng.below(TOKENS.len())].as_bytes();
                b.splice(at..at, t.iter().copied());
            }
            1 => {
                let end = (at + rng.below(40)).min(b.len());
                b.drain(at..end);
            }
            2 => {
                // duplicate a slice somewhere else
                let end = (at + rng.below(200)).min(b.len());
                let piece: Vec<u8> = b[at..end].to_vec();
                let to = rng.below(b.len() + 1);
                b.splice(to..to, piece);
            }
            3 => {
                if at < b.len() {
                    b[at] = (rng.next() & 0xff) as u8;
                }
            }
            4 => b.truncate(at),
            5 => {
                // repeat an opener many times
                let t = ["[", "{", "- ", "  ", "{\"a\": "][rng.below(5)];
                let n = 1 + rng.below(600);
                b.splice(at..at, t.repeat(n).bytes());
            }
            _ => {
                // swap two lines' worth of bytes
                let other = rng.below(b.len() + 1);
                let (x, y) = (at.min(other), at.max(other));
                if y > x {
                    b[x..y].reverse();
                }
            }
        }
    }
    b
}

#[test]
fn mutated_fixtures_never_panic() {
    let files = fixtures();
    assert!(files.len() > 20, "fixtures not found");
    let originals: Vec<(PathBuf, Vec<u8>)> = files
        .into_iter()
        .map(|p| {
            let b = std::fs::read(&p).unwrap();
            (p, b)
        })
        .collect();
    // LAMBDALINT_MUTATIONS=200000 for a longer run; LAMBDALINT_SEED to explore other inputs.
    let count = std::env::var("LAMBDALINT_MUTATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(MUTATIONS);
    let seed = std::env::var("LAMBDALINT_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed_1a3b_da11_0001);
    let mut rng = Rng(seed);
    let mut loaded = 0usize;
    for i in 0..count {
        let (path, bytes) = &originals[rng.below(originals.len())];
        let m = mutate(&mut rng, bytes);
        let text = String::from_utf8_lossy(&m).into_owned();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let r = catch_unwind(AssertUnwindSafe(|| {
            let y = lambdalint::load::load(&text, Format::Yaml).is_ok();
            let j = lambdalint::load::load(&text, Format::Json).is_ok();
            let _ = lambdalint::check::check_text(&name, &text);
            if let Ok(diags) = lambdalint::check::check_text(&name, &text) {
                for d in &diags {
                    // every position maps back into the text
                    let (s, e) = d.range();
                    assert!(s <= e, "{s:?} > {e:?}");
                    assert!(d.span.end as usize <= text.len());
                }
            }
            usize::from(y || j)
        }));
        match r {
            Ok(n) => loaded += n,
            Err(_) => {
                let dump = std::env::temp_dir().join(format!("lambdalint-mutation-{i}.txt"));
                let _ = std::fs::write(&dump, &m);
                panic!(
                    "mutation {i} of {} panicked; input saved to {}",
                    path.display(),
                    dump.display()
                );
            }
        }
    }
    // the mutations are not all rejected at the first byte
    assert!(loaded > count / 8, "only {loaded} mutations loaded");
}

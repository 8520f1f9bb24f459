//! Parse + extract facts from about 1 MB of handler code (Python and JavaScript).
//! Run: `cargo bench --bench handlers`. Target: under 200 ms per MB.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use lambdalint::handler::extract;
use lambdalint::handler::resolve::{Lang, Resolved};
use lambdalint::source::SourceFile;

fn corpus(files: &[&str]) -> String {
    let mut one = String::new();
    for f in files {
        one.push_str(&std::fs::read_to_string(f).unwrap());
        one.push('\n');
    }
    let mut s = String::new();
    while s.len() < 1_000_000 {
        s.push_str(&one);
    }
    s
}

fn main() {
    let py = corpus(&[
        "testdata/projects/py-bad/src/writer.py",
        "testdata/projects/py-good/src/writer.py",
        "testdata/projects/orders-app/src/report.py",
    ]);
    let js = corpus(&[
        "testdata/projects/js-bad/src/save.mjs",
        "testdata/projects/js-good/src/save.mjs",
        "testdata/projects/js-bad/src/publish.js",
    ]);
    for (name, lang, text) in [
        ("python", Lang::Python, py),
        ("javascript", Lang::JavaScript, js),
    ] {
        let r = Resolved {
            file: Arc::new(SourceFile::new(
                PathBuf::from("bench"),
                "bench".into(),
                text.clone(),
            )),
            lang,
            handler_name: "handler".into(),
            code_dir: None,
            inline: None,
        };
        let mut best = f64::MAX;
        let mut facts = 0;
        for _ in 0..5 {
            let t = Instant::now();
            let f = extract("Bench", &r);
            best = best.min(t.elapsed().as_secs_f64());
            facts = f.calls.len() + f.clients.len() + f.http.len() + f.db.len() + f.params.len();
        }
        // Parsing alone (the floor for the whole extraction).
        let ts_lang: tree_sitter::Language = match lang {
            Lang::Python => tree_sitter_python::LANGUAGE.into(),
            _ => tree_sitter_javascript::LANGUAGE.into(),
        };
        let mut parse = f64::MAX;
        let mut p = tree_sitter::Parser::new();
        p.set_language(&ts_lang).unwrap();
        for _ in 0..5 {
            let t = Instant::now();
            let tree = p.parse(text.as_bytes(), None).unwrap();
            drop(tree);
            parse = parse.min(t.elapsed().as_secs_f64());
        }
        println!(
            "{name}: {:.2} MB in {:.1} ms (best of 5; tree-sitter parse alone {:.1} ms), {facts} facts",
            text.len() as f64 / 1e6,
            best * 1000.0,
            parse * 1000.0
        );
    }
}

//! The generated rule pages in docs/rules/ must match the catalogue (`rules/*.toml`).
//! Regenerate with `UPDATE_DOCS=1 cargo test --test docs`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeMap;
use std::path::Path;

use lambdalint::rule::BUILTIN_CODES;
use lambdalint::rule::catalogue;

const DIR: &str = "docs/rules";

fn index() -> String {
    let mut s = String::from(
        "# Rules\n\n<!-- Generated from rules/*.toml by `UPDATE_DOCS=1 cargo test --test docs`; do not edit. -->\n\n\
         | Code | Name | Category | Default severity | Summary |\n|---|---|---|---|---|\n",
    );
    for m in catalogue() {
        s.push_str(&format!(
            "| [{code}]({code}.md) | {name} | {cat} | {sev} | {sum} |\n",
            code = m.code,
            name = m.name,
            cat = m.category,
            sev = m.severity,
            sum = m.summary.trim().replace('|', "\\|").replace('\n', " ")
        ));
    }
    s.push_str(
        "\n## Built-in codes\n\nInput problems and suppression bookkeeping (see [../config.md](../config.md)).\n\n\
         | Code | Name | Meaning |\n|---|---|---|\n",
    );
    for (code, name, what) in BUILTIN_CODES {
        s.push_str(&format!("| {code} | {name} | {what} |\n"));
    }
    s
}

/// Every generated file: name -> content.
fn expected() -> BTreeMap<String, String> {
    let mut m: BTreeMap<String, String> = catalogue()
        .iter()
        .map(|r| (format!("{}.md", r.code), r.markdown()))
        .collect();
    m.insert("README.md".to_string(), index());
    m
}

#[test]
fn rule_pages_are_up_to_date() {
    let want = expected();
    let update = std::env::var_os("UPDATE_DOCS").is_some();
    let dir = Path::new(DIR);
    if update {
        std::fs::create_dir_all(dir).unwrap();
    }
    let mut stale = Vec::new();
    for (name, text) in &want {
        let p = dir.join(name);
        if std::fs::read_to_string(&p).ok().as_deref() != Some(text.as_str()) {
            if update {
                std::fs::write(&p, text).unwrap();
            } else {
                stale.push(name.clone());
            }
        }
    }
    for e in std::fs::read_dir(dir).into_iter().flatten() {
        let name = e.unwrap().file_name().to_string_lossy().to_string();
        if name.ends_with(".md") && !want.contains_key(&name) {
            if update {
                std::fs::remove_file(dir.join(&name)).unwrap();
            } else {
                stale.push(format!("{name} (no such rule)"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "docs/rules is stale: {stale:?}; run `UPDATE_DOCS=1 cargo test --test docs`"
    );
}

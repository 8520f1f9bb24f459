//! Embeds the rule catalogue (`rules/*.toml`) into the binary.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=rules");
    let mut entries: Vec<_> = std::fs::read_dir("rules")
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect()
        })
        .unwrap_or_default();
    entries.sort();
    let mut out = String::from("pub static RULE_FILES: &[(&str, &str)] = &[\n");
    for p in entries {
        let abs = std::fs::canonicalize(&p).unwrap_or(p.clone());
        let name = p.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        let _ = writeln!(
            out,
            "    ({name:?}, include_str!({:?})),",
            abs.display().to_string()
        );
        println!("cargo:rerun-if-changed={}", p.display());
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).join("rule_files.rs");
    if let Err(e) = std::fs::write(dest, out) {
        eprintln!("writing rule_files.rs: {e}");
        std::process::exit(1);
    }
}

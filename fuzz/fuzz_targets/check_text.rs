#![no_main]
//! The whole pipeline (load, model, graph, rules) never panics, as YAML and as JSON, and every
//! diagnostic points into the text.

use lambdalint::check::check_text;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for name in ["template.yaml", "template.json"] {
        if let Ok(diags) = check_text(name, &text) {
            for d in &diags {
                assert!(d.span.start <= d.span.end);
                assert!(d.span.end as usize <= text.len());
                let _ = d.range();
            }
        }
    }
});

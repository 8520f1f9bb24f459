#![no_main]
//! The YAML loader never panics, and every span it produces lies inside the text.

use lambdalint::load::load;
use lambdalint::source::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(l) = load(text, Format::Yaml) {
        for n in &l.doc.nodes {
            assert!(n.span.start <= n.span.end);
            assert!(n.span.end as usize <= text.len());
        }
        for i in &l.issues {
            assert!(i.span.end as usize <= text.len());
        }
    }
});

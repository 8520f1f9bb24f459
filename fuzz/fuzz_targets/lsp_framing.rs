#![no_main]
//! The language server's framing never panics on any byte stream, and whatever junk comes first,
//! a well-formed frame pushed after it is still delivered.

use lambdalint::lsp::framing::{Frame, Framer};
use libfuzzer_sys::fuzz_target;

const GOOD: &[u8] = br#"{"jsonrpc":"2.0","id":424242,"method":"x"}"#;

fuzz_target!(|data: &[u8]| {
    let mut f = Framer::default();
    // Arbitrary chunking: the first byte picks the chunk size.
    let chunk = usize::from(data.first().copied().unwrap_or(7)).max(1);
    for c in data.chunks(chunk) {
        f.push(c);
        while f.next_frame().is_some() {}
    }
    // A header after the junk: the good frame must come out (the junk may hold a cut body
    // that swallows at most what precedes the next header).
    let mut tail = format!("\r\n\r\nContent-Length: {}\r\n\r\n", GOOD.len()).into_bytes();
    tail.extend_from_slice(GOOD);
    tail.extend_from_slice(format!("Content-Length: {}\r\n\r\n", GOOD.len()).as_bytes());
    tail.extend_from_slice(GOOD);
    f.push(&tail);
    let mut got = 0;
    while let Some(fr) = f.next_frame() {
        if fr == Frame::Body(GOOD.to_vec()) {
            got += 1;
        }
    }
    assert!(got >= 1, "the frames after the junk were lost");
});

//! LSP base protocol framing (`Content-Length: N\r\n\r\n<N bytes of JSON>`) that survives bad
//! input: a header line that is not UTF-8 or not a header, a frame without a length, a length
//! that is too small or too large. Each problem costs at most the damaged message: the framer
//! resynchronises at the next `Content-Length` header and goes on.

use serde::de::IgnoredAny;

/// Largest message accepted (a 64 MiB template in a `didOpen`, with some JSON escaping).
pub const MAX_MESSAGE_BYTES: usize = 96 * 1024 * 1024;
/// A header block longer than this is junk.
const MAX_HEADER_BYTES: usize = 64 * 1024;
const HEADER_NAME: &[u8] = b"content-length:";

/// What the framer found.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame {
    /// A message body (one JSON value).
    Body(Vec<u8>),
    /// Bytes dropped, and why (logged by the caller).
    Skipped(String),
}

/// Incremental framer: push bytes as they arrive, take frames out.
#[derive(Debug, Default)]
pub struct Framer {
    buf: Vec<u8>,
    /// Start of the unconsumed bytes.
    pos: usize,
    /// For the frame being waited for: how far its body was already searched for a header.
    scanned: usize,
}

/// Position of `needle` in `hay`, ASCII case-insensitively.
fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    let first = needle.first()?.to_ascii_lowercase();
    let mut i = 0;
    while i + needle.len() <= hay.len() {
        let rest = hay.get(i..)?;
        let j = rest.iter().position(|b| b.to_ascii_lowercase() == first)?;
        i += j;
        if hay
            .get(i..i + needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(needle))
        {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// End of the header block: (offset of the separator, its length), for `\r\n\r\n` or `\n\n`.
fn header_end(data: &[u8]) -> Option<(usize, usize)> {
    let crlf = data.windows(4).position(|w| w == b"\r\n\r\n");
    let lf = data.windows(2).position(|w| w == b"\n\n");
    match (crlf, lf) {
        (Some(a), Some(b)) if b < a => Some((b, 2)),
        (Some(a), _) => Some((a, 4)),
        (None, Some(b)) => Some((b, 2)),
        (None, None) => None,
    }
}

/// The `Content-Length` of a header block (lines that are not headers, or not UTF-8, are
/// ignored).
fn content_length(header: &[u8]) -> Option<usize> {
    header.split(|b| *b == b'\n').find_map(|line| {
        let line = String::from_utf8_lossy(line);
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse::<usize>().ok())
            .flatten()
    })
}

/// If `bytes` starts with one complete JSON value followed only by whitespace, its end.
fn json_value_end(bytes: &[u8]) -> Option<usize> {
    let mut it = serde_json::Deserializer::from_slice(bytes).into_iter::<IgnoredAny>();
    match it.next() {
        Some(Ok(_)) => {
            let end = it.byte_offset();
            bytes
                .get(end..)
                .is_some_and(|r| r.iter().all(u8::is_ascii_whitespace))
                .then_some(end)
        }
        _ => None,
    }
}

/// The first certain frame boundary in `rest` at or after `from`: a header name that starts the
/// data, follows a line break (a JSON body cannot hold a raw line break inside a string, so a
/// header on a new line is never part of it), or follows one complete JSON value. Returns the
/// boundary and, in the last case, the end of the value before it.
fn resync_point(rest: &[u8], from: usize) -> Option<(usize, Option<usize>)> {
    let mut at = from;
    loop {
        let k = at + find_ci(rest.get(at..)?, HEADER_NAME)?;
        if let Some(end) = rest.get(..k).and_then(json_value_end) {
            return Some((k, Some(end)));
        }
        let before = k.checked_sub(1).and_then(|i| rest.get(i)).copied();
        if k == 0 || matches!(before, Some(b'\n' | b'\r')) {
            return Some((k, None));
        }
        at = k + 1;
    }
}

impl Framer {
    pub fn push(&mut self, bytes: &[u8]) {
        if self.pos > 0 && self.pos >= self.buf.len() / 2 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.buf.len());
        self.scanned = 0;
    }

    /// The next frame, or `None` when more input is needed.
    pub fn next_frame(&mut self) -> Option<Frame> {
        let data = self.buf.get(self.pos..)?;
        if data.is_empty() {
            return None;
        }
        let Some((term, sep)) = header_end(data) else {
            if data.len() > MAX_HEADER_BYTES {
                // Junk without a header end: keep from the last header name on, if any.
                let keep = find_ci(data.get(1..)?, HEADER_NAME).map_or(data.len(), |k| k + 1);
                self.consume(keep);
                return Some(Frame::Skipped(format!(
                    "{keep} bytes without a header end skipped"
                )));
            }
            return None;
        };
        let body_start = term + sep;
        let header = data.get(..term)?;
        let Some(n) = content_length(header) else {
            // A header block without a length: skip it, unless a header name hides further on
            // in it (junk glued to the front of a real header).
            let skip = header
                .get(1..)
                .and_then(|h| find_ci(h, HEADER_NAME))
                .map_or(body_start, |k| k + 1);
            self.consume(skip);
            return Some(Frame::Skipped(
                "header without a valid Content-Length skipped".into(),
            ));
        };
        if n > MAX_MESSAGE_BYTES {
            self.consume(body_start);
            return Some(Frame::Skipped(format!(
                "message of {n} bytes over the {MAX_MESSAGE_BYTES}-byte limit skipped"
            )));
        }
        let rest = data.get(body_start..)?;
        if rest.len() < n {
            // Waiting for the body. A wrong length would make us wait for bytes that belong to
            // the next message: a certain boundary (see `resync_point`) ends the wait.
            let from = self.scanned.saturating_sub(HEADER_NAME.len() + 1);
            if let Some((k, end)) = resync_point(rest, from) {
                let body = end.and_then(|e| rest.get(..e)).map(<[u8]>::to_vec);
                return Some(self.resync(body_start + k, body));
            }
            self.scanned = rest.len();
            return None;
        }
        let body = rest.get(..n)?;
        if json_value_end(body).is_some() {
            let body = body.to_vec();
            self.consume(body_start + n);
            return Some(Frame::Body(body));
        }
        // A damaged frame: its length is too large (a value, then the next header) or too small
        // (a cut value). Resynchronise at the next certain boundary; until one arrives, wait
        // (the rest of a cut body comes first).
        let from = self.scanned.saturating_sub(HEADER_NAME.len() + 1);
        if let Some((k, end)) = resync_point(rest, from) {
            let body = end.and_then(|e| rest.get(..e)).map(<[u8]>::to_vec);
            return Some(self.resync(body_start + k, body));
        }
        if rest.len() > MAX_MESSAGE_BYTES {
            let all = body_start + rest.len();
            self.consume(all);
            return Some(Frame::Skipped("malformed message skipped".into()));
        }
        self.scanned = rest.len();
        None
    }

    /// Go on `skip` bytes further: deliver the JSON value found before the boundary when there
    /// is one, else say the damaged bytes were skipped.
    fn resync(&mut self, skip: usize, body: Option<Vec<u8>>) -> Frame {
        self.consume(skip);
        match body {
            Some(b) => Frame::Body(b),
            None => Frame::Skipped(
                "damaged message skipped (wrong Content-Length); resynchronised at the next header"
                    .into(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    fn frame(body: &str) -> Vec<u8> {
        format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
    }

    fn bodies(input: &[u8], chunk: usize) -> Vec<String> {
        let mut f = Framer::default();
        let mut out = Vec::new();
        for c in input.chunks(chunk.max(1)) {
            f.push(c);
            while let Some(fr) = f.next_frame() {
                if let Frame::Body(b) = fr {
                    out.push(String::from_utf8(b).unwrap());
                }
            }
        }
        out
    }

    const A: &str = r#"{"jsonrpc":"2.0","id":1,"method":"a"}"#;
    const B: &str = r#"{"jsonrpc":"2.0","id":2,"method":"b"}"#;

    #[test]
    fn plain_frames_in_any_chunking() {
        let mut input = frame(A);
        input.extend(frame(B));
        for chunk in [1, 3, 7, 1000] {
            assert_eq!(bodies(&input, chunk), [A, B], "chunk {chunk}");
        }
    }

    #[test]
    fn resyncs_after_a_non_utf8_header_line() {
        let mut input = b"\xff\xfe\xfd garbage\r\n".to_vec();
        input.extend(frame(A));
        input.extend(frame(B));
        for chunk in [1, 5, 1000] {
            assert_eq!(bodies(&input, chunk), [A, B], "chunk {chunk}");
        }
        let mut input = b"\xff\xfe\r\n\r\n".to_vec();
        input.extend(frame(A));
        assert_eq!(bodies(&input, 4), [A]);
    }

    #[test]
    fn resyncs_after_a_wrong_length() {
        for delta in [-10i64, -1, 1, 25, 4000] {
            let n = (A.len() as i64 + delta) as usize;
            let mut input = format!("Content-Length: {n}\r\n\r\n{A}").into_bytes();
            input.extend(frame(B));
            input.extend(frame(A));
            for chunk in [1, 9, 10_000] {
                let got = bodies(&input, chunk);
                // The damaged message may be lost; everything after it arrives.
                assert!(
                    got.ends_with(&[B.to_string(), A.to_string()]),
                    "{delta} {chunk}: {got:?}"
                );
            }
        }
    }

    #[test]
    fn a_huge_claimed_length_does_not_swallow_what_follows() {
        let mut input = b"Content-Length: 50000000\r\n\r\n".to_vec();
        input.extend(frame(A));
        input.extend(frame(B));
        for chunk in [1, 13, 100_000] {
            let got = bodies(&input, chunk);
            assert!(got.ends_with(&[B.to_string()]), "{chunk}: {got:?}");
        }
        let mut input = b"Content-Length: 50000000\r\n\r\n{\r\n\r\n".to_vec();
        input.extend(frame(A));
        assert_eq!(bodies(&input, 7), [A]);
    }

    #[test]
    fn an_empty_header_block_is_skipped() {
        let mut input = b"\r\n\r\n".to_vec();
        input.extend(frame(A));
        assert_eq!(bodies(&input, 1000), [A]);
        assert_eq!(bodies(&input, 1), [A]);
    }

    #[test]
    fn junk_and_missing_length() {
        let mut input = b"Content-Type: x\r\n\r\n{}".to_vec();
        input.extend(frame(A));
        assert_eq!(bodies(&input, 3), [A]);
        let mut input = vec![b'x'; 100_000];
        input.extend(frame(B));
        assert_eq!(bodies(&input, 4096), [B]);
    }
}

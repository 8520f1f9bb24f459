//! The graph picture: Graphviz `dot -Tsvg` when it is installed, the built-in layout otherwise.

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use crate::report::graph::{GraphData, to_dot};
use crate::report::layout;

/// Is Graphviz `dot` on PATH (checked once)?
pub fn dot_available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        Command::new("dot")
            .arg("-V")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// A drawn graph.
#[derive(Debug, Clone)]
pub struct Picture {
    /// Inline SVG (no XML prolog).
    pub svg: String,
    /// `"graphviz"` or `"built-in"`.
    pub engine: &'static str,
}

fn run_dot(dot: &str) -> Option<String> {
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    // Write from another thread so a large graph cannot deadlock on full pipes.
    let mut stdin = child.stdin.take()?;
    let input = dot.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().ok()?;
    let _ = writer.join();
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    let start = text.find("<svg")?;
    text.get(start..).map(str::to_string)
}

/// Draw a graph. `uid` makes element ids unique when many graphs share one page.
pub fn draw(g: &GraphData, title: &str, uid: usize, use_dot: bool) -> Picture {
    if g.nodes.is_empty() {
        return Picture {
            svg: String::new(),
            engine: "none",
        };
    }
    if use_dot && let Some(svg) = run_dot(&to_dot(g, title)) {
        // Graphviz numbers its ids per graph (`graph0`, `node1`...): prefix them per application.
        let svg = svg
            .replacen("<svg", "<svg class=\"graph\"", 1)
            .replace("id=\"", &format!("id=\"g{uid}-"));
        return Picture {
            svg,
            engine: "graphviz",
        };
    }
    Picture {
        svg: layout::render(g, title, uid),
        engine: "built-in",
    }
}

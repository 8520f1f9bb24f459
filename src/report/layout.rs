//! A built-in layered layout, so the report has a picture without Graphviz: rank the nodes by edge
//! direction (longest path, cycles broken), place the ranks in columns (tall ranks wrap into more
//! columns), order each column by the barycentre of its neighbours, and draw curved edges.

use crate::report::graph::{EdgeKind, GraphData, border};
use crate::report::html::escape;

const NODE_H: f64 = 42.0;
const NODE_H_FINDINGS: f64 = 56.0;
const V_GAP: f64 = 16.0;
const H_GAP: f64 = 80.0;
const MARGIN: f64 = 16.0;
const MAX_PER_COLUMN: usize = 14;
const MAX_LABEL: usize = 34;

fn clip(s: &str) -> String {
    if s.chars().count() > MAX_LABEL {
        let mut t: String = s.chars().take(MAX_LABEL - 1).collect();
        t.push('…');
        t
    } else {
        s.to_string()
    }
}

/// Longest-path ranks; a cycle is broken at the remaining node with the fewest unplaced inputs.
pub fn ranks(n: usize, edges: &[(usize, usize)]) -> Vec<usize> {
    let mut indeg = vec![0usize; n];
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in edges {
        if a == b || a >= n || b >= n {
            continue;
        }
        if let Some(o) = out.get_mut(a) {
            o.push(b);
        }
        if let Some(d) = indeg.get_mut(b) {
            *d += 1;
        }
    }
    let mut rank = vec![0usize; n];
    let mut done = vec![false; n];
    let mut ready: Vec<usize> = (0..n).filter(|i| indeg.get(*i) == Some(&0)).rev().collect();
    let mut placed = 0;
    while placed < n {
        let next = match ready.pop() {
            Some(v) => v,
            None => {
                // A cycle: take the unplaced node with the fewest remaining inputs.
                match (0..n)
                    .filter(|i| !done.get(*i).copied().unwrap_or(true))
                    .min_by_key(|i| (indeg.get(*i).copied().unwrap_or(0), *i))
                {
                    Some(v) => v,
                    None => break,
                }
            }
        };
        if done.get(next).copied().unwrap_or(true) {
            continue;
        }
        if let Some(d) = done.get_mut(next) {
            *d = true;
        }
        placed += 1;
        let r = rank.get(next).copied().unwrap_or(0);
        for &m in out.get(next).map(Vec::as_slice).unwrap_or(&[]) {
            if done.get(m).copied().unwrap_or(true) {
                continue;
            }
            if let Some(x) = rank.get_mut(m) {
                *x = (*x).max(r + 1);
            }
            if let Some(d) = indeg.get_mut(m) {
                *d = d.saturating_sub(1);
                if *d == 0 {
                    ready.push(m);
                }
            }
        }
    }
    rank
}

struct Placed {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

/// Render a graph as SVG with the built-in layout. `uid` keeps element ids unique in one page.
pub fn render(g: &GraphData, title: &str, uid: usize) -> String {
    let n = g.nodes.len();
    if n == 0 {
        return String::new();
    }
    // Roles hang off functions but should not push everything right: they do not count for rank.
    let rank_edges: Vec<(usize, usize)> = g
        .edges
        .iter()
        .filter(|e| e.kind != EdgeKind::Role)
        .map(|e| (e.from, e.to))
        .collect();
    let mut rank = ranks(n, &rank_edges);
    // Roles sit one column right of their (first) function.
    for e in g.edges.iter().filter(|e| e.kind == EdgeKind::Role) {
        let has_other = rank_edges.iter().any(|(a, b)| *a == e.to || *b == e.to);
        if !has_other
            && let Some(r) = rank.get(e.from).copied()
            && let Some(x) = rank.get_mut(e.to)
        {
            *x = r + 1;
        }
    }
    let max_rank = rank.iter().copied().max().unwrap_or(0);
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); max_rank + 1];
    for (i, r) in rank.iter().enumerate() {
        if let Some(l) = layers.get_mut(*r) {
            l.push(i);
        }
    }
    // Barycentre ordering, two sweeps.
    let mut pos = vec![0f64; n];
    for l in &layers {
        for (k, v) in l.iter().enumerate() {
            if let Some(p) = pos.get_mut(*v) {
                *p = k as f64;
            }
        }
    }
    for _ in 0..2 {
        for l in layers.iter_mut().skip(1) {
            let mut keyed: Vec<(f64, usize)> = l
                .iter()
                .map(|v| {
                    let ns: Vec<f64> = g
                        .edges
                        .iter()
                        .filter_map(|e| {
                            if e.to == *v {
                                pos.get(e.from).copied()
                            } else if e.from == *v {
                                pos.get(e.to).copied()
                            } else {
                                None
                            }
                        })
                        .collect();
                    let b = if ns.is_empty() {
                        pos.get(*v).copied().unwrap_or(0.0)
                    } else {
                        ns.iter().sum::<f64>() / ns.len() as f64
                    };
                    (b, *v)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            *l = keyed.into_iter().map(|(_, v)| v).collect();
            for (k, v) in l.iter().enumerate() {
                if let Some(p) = pos.get_mut(*v) {
                    *p = k as f64;
                }
            }
        }
    }
    // Columns: a layer taller than MAX_PER_COLUMN wraps into several columns.
    let width_of = |i: usize| -> f64 {
        g.nodes.get(i).map_or(120.0, |nd| {
            let chars = clip(&nd.id)
                .chars()
                .count()
                .max(nd.type_label.chars().count());
            (chars as f64 * 7.0 + 26.0).clamp(110.0, 270.0)
        })
    };
    let height_of = |i: usize| -> f64 {
        if g.nodes.get(i).is_some_and(|nd| nd.findings.total() > 0) {
            NODE_H_FINDINGS
        } else {
            NODE_H
        }
    };
    let mut columns: Vec<Vec<usize>> = Vec::new();
    for l in &layers {
        for chunk in l.chunks(MAX_PER_COLUMN) {
            columns.push(chunk.to_vec());
        }
    }
    let heights: Vec<f64> = columns
        .iter()
        .map(|c| c.iter().map(|v| height_of(*v) + V_GAP).sum::<f64>() - V_GAP)
        .collect();
    let total_h = heights.iter().copied().fold(0.0, f64::max);
    let mut placed: Vec<Placed> = (0..n)
        .map(|_| Placed {
            x: 0.0,
            y: 0.0,
            w: 0.0,
            h: 0.0,
        })
        .collect();
    let mut x = MARGIN;
    for (c, col) in columns.iter().enumerate() {
        let w = col.iter().map(|v| width_of(*v)).fold(0.0, f64::max);
        let mut y = MARGIN + (total_h - heights.get(c).copied().unwrap_or(0.0)) / 2.0;
        for v in col {
            let h = height_of(*v);
            if let Some(p) = placed.get_mut(*v) {
                *p = Placed {
                    x: x + (w - width_of(*v)) / 2.0,
                    y,
                    w: width_of(*v),
                    h,
                };
            }
            y += h + V_GAP;
        }
        x += w + H_GAP;
    }
    let width = (x - H_GAP + MARGIN).max(200.0);
    let height = total_h + 2.0 * MARGIN;
    let mut s = String::new();
    s.push_str(&format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"graph\" role=\"img\" viewBox=\"0 0 {width:.0} {height:.0}\" width=\"{width:.0}\" height=\"{height:.0}\" font-family=\"Helvetica, Arial, sans-serif\">\n<title>{}</title>\n",
        escape(title)
    ));
    s.push_str(&format!(
        "<defs><marker id=\"arr{uid}\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>\n"
    ));
    // Edges first, nodes on top.
    for e in &g.edges {
        let (Some(a), Some(b)) = (placed.get(e.from), placed.get(e.to)) else {
            continue;
        };
        let (x1, y1) = (a.x + a.w, a.y + a.h / 2.0);
        let path = if b.x > a.x + a.w {
            let (x2, y2) = (b.x, b.y + b.h / 2.0);
            let dx = (x2 - x1) / 2.0;
            format!(
                "M{x1:.1},{y1:.1} C{:.1},{y1:.1} {:.1},{y2:.1} {x2:.1},{y2:.1}",
                x1 + dx,
                x2 - dx
            )
        } else {
            // Same column or backwards: loop around the right side.
            let (x2, y2) = (b.x + b.w, b.y + b.h / 2.0);
            let bulge = 40.0 + (y2 - y1).abs() / 6.0;
            format!(
                "M{x1:.1},{y1:.1} C{:.1},{y1:.1} {:.1},{y2:.1} {x2:.1},{y2:.1}",
                x1.max(x2) + bulge,
                x1.max(x2) + bulge
            )
        };
        let (stroke, dash, marker) = match e.kind {
            EdgeKind::Invokes => ("#333", "", true),
            EdgeKind::References => ("#888", " stroke-dasharray=\"5 3\"", true),
            EdgeKind::Role => ("#aaa", " stroke-dasharray=\"2 3\"", false),
            EdgeKind::Route => ("#2b7a78", "", true),
        };
        let m = if marker {
            format!(" marker-end=\"url(#arr{uid})\"")
        } else {
            String::new()
        };
        s.push_str(&format!(
            "<path d=\"{path}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"1.2\"{dash}{m}/>\n"
        ));
        if !e.label.is_empty() {
            let (mx, my) = if b.x > a.x + a.w {
                ((x1 + b.x) / 2.0, (y1 + b.y + b.h / 2.0) / 2.0 - 4.0)
            } else {
                (x1 + 30.0, (y1 + b.y + b.h / 2.0) / 2.0)
            };
            s.push_str(&format!(
                "<text x=\"{mx:.1}\" y=\"{my:.1}\" font-size=\"10\" fill=\"#444\" text-anchor=\"middle\" paint-order=\"stroke\" stroke=\"#fff\" stroke-width=\"3\">{}</text>\n",
                escape(&e.label)
            ));
        }
    }
    for (i, nd) in g.nodes.iter().enumerate() {
        let Some(p) = placed.get(i) else { continue };
        let (color, width) = border(&nd.findings);
        let dash = if nd.synthetic {
            " stroke-dasharray=\"4 2\""
        } else {
            ""
        };
        s.push_str(&format!(
            "<g class=\"node\"><title>{}</title><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"7\" fill=\"{}\" stroke=\"{color}\" stroke-width=\"{width}\"{dash}/>",
            escape(&format!("{} ({})", nd.id, nd.type_label)),
            p.x,
            p.y,
            p.w,
            p.h,
            nd.kind.fill()
        ));
        let cx = p.x + p.w / 2.0;
        s.push_str(&format!(
            "<text x=\"{cx:.1}\" y=\"{:.1}\" font-size=\"12\" font-weight=\"bold\" text-anchor=\"middle\" fill=\"#222\">{}</text>",
            p.y + 17.0,
            escape(&clip(&nd.id))
        ));
        s.push_str(&format!(
            "<text x=\"{cx:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"middle\" fill=\"#555\">{}</text>",
            p.y + 32.0,
            escape(&clip(&nd.type_label))
        ));
        let total = nd.findings.total();
        if total > 0 {
            s.push_str(&format!(
                "<text x=\"{cx:.1}\" y=\"{:.1}\" font-size=\"10\" font-weight=\"bold\" text-anchor=\"middle\" fill=\"{color}\">{total} finding{}</text>",
                p.y + 47.0,
                if total == 1 { "" } else { "s" }
            ));
            s.push_str(&format!(
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"9\" fill=\"{color}\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" font-weight=\"bold\" text-anchor=\"middle\" fill=\"#fff\">{total}</text>",
                p.x + p.w - 2.0,
                p.y + 2.0,
                p.x + p.w - 2.0,
                p.y + 5.5
            ));
        }
        s.push_str("</g>\n");
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn ranks_follow_edges_and_survive_cycles() {
        assert_eq!(ranks(3, &[(0, 1), (1, 2)]), vec![0, 1, 2]);
        assert_eq!(ranks(3, &[(2, 1), (1, 0)]), vec![2, 1, 0]);
        // A cycle 0 -> 1 -> 0 plus 1 -> 2: every node gets a rank, 2 after 1.
        let r = ranks(3, &[(0, 1), (1, 0), (1, 2)]);
        assert!(r[2] > r[1]);
        assert_eq!(ranks(2, &[(0, 0)]), vec![0, 0]);
    }
}

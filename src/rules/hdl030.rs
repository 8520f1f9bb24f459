//! HDL030 unawaited-promise.

use crate::rule::{Context, Report, Rule};

use super::handler_util::each;
pub struct UnawaitedPromise;

pub fn message_hdl030(function: &str, callee: &str, for_each: bool) -> String {
    if for_each {
        format!(
            "`forEach(async ..)` in `{function}` drops the promise of every callback: the handler can return before they finish"
        )
    } else {
        format!(
            "the promise of `{callee}` in `{function}` is neither awaited, returned nor collected: the handler can return before it finishes"
        )
    }
}

impl Rule for UnawaitedPromise {
    fn code(&self) -> &'static str {
        "HDL030"
    }
    fn check(&self, cx: &mut Context<'_>) {
        for f in each(cx) {
            for p in &f.hygiene.floating {
                let help = if p.for_each {
                    "use `await Promise.all(items.map(async (x) => ..))` or a `for .. of` loop with `await`"
                } else {
                    "`await` it, return it, or collect it into `await Promise.all(..)`; the execution environment is frozen once the handler's promise resolves"
                };
                let r = Report::new(p.span, message_hdl030(&f.function, &p.callee, p.for_each))
                    .resource(&f.function)
                    .help(help);
                cx.emit_in(&p.file, r);
            }
        }
    }
}

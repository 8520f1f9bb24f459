//! LMB032 sync-invoke-error-unchecked.

use crate::rule::{Context, Report, Rule};

use super::handler_util::each;
use super::wiring_util::resource_of;

pub struct SyncInvokeErrorUnchecked;

/// `target`: the invoked function's logical id when the call resolves to one of the template.
pub fn message_lmb032(function: &str, target: Option<&str>) -> String {
    let what = match target {
        Some(t) => format!("function `{t}`"),
        None => "another function".into(),
    };
    format!(
        "`{function}` invokes {what} synchronously (`RequestResponse`) and never reads the response's `FunctionError`: when the invoked function fails, the call still succeeds with status 200 and the error is taken for a result"
    )
}

impl Rule for SyncInvokeErrorUnchecked {
    fn code(&self) -> &'static str {
        "LMB032"
    }

    fn check(&self, cx: &mut Context<'_>) {
        for f in each(cx) {
            if f.wiring.reads_function_error {
                continue;
            }
            let Some(func) = cx.app.functions.get(&f.function) else {
                continue;
            };
            for i in f.wiring.invokes.iter().filter(|i| i.sync == Some(true)) {
                let target = resource_of(cx.app, func, &i.target)
                    .filter(|id| cx.app.functions.contains_key(id));
                let r = Report::new(i.span, message_lmb032(&f.function, target.as_deref()))
                    .resource(&f.function)
                    .help("check `FunctionError` in the response (Python `response.get(\"FunctionError\")`, JavaScript `res.FunctionError`) and raise, or invoke with `InvocationType: \"Event\"` if the result is not needed");
                cx.emit_in(&i.file, r);
            }
        }
    }
}

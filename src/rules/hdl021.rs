//! HDL021 write-outside-tmp.

use crate::rule::{Context, Report, Rule};

use super::handler_util::each;
pub struct WriteOutsideTmp;

pub fn message_hdl021(function: &str, callee: &str, path: &str, relative: bool) -> String {
    if relative {
        format!(
            "`{callee}` in `{function}` writes `{path}`, a relative path under the read-only `/var/task`"
        )
    } else {
        format!(
            "`{callee}` in `{function}` writes `{path}`, outside `/tmp`: the Lambda file system is read-only there"
        )
    }
}

impl Rule for WriteOutsideTmp {
    fn code(&self) -> &'static str {
        "HDL021"
    }
    fn check(&self, cx: &mut Context<'_>) {
        for f in each(cx) {
            for w in &f.hygiene.writes {
                let r = Report::new(
                    w.span,
                    message_hdl021(&f.function, &w.callee, &w.path, w.relative),
                )
                .resource(&f.function)
                .help("write under `/tmp` (`tempfile.gettempdir()`, `os.tmpdir()`) or to a mounted EFS path under `/mnt`, or to S3");
                cx.emit_in(&w.file, r);
            }
        }
    }
}

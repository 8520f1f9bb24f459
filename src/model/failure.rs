//! Failure handling of functions: dead-letter queues and on-failure destinations, Globals-aware.

use crate::load::NodeId;
use crate::model::function::Function;
use crate::model::template::Template;

/// Does a function have a failure destination for asynchronous invocations?
/// `Some(true)`: yes; `Some(false)`: certainly not; `None`: cannot tell (a condition, a computed value).
pub fn async_failure_destination(tpl: &Template, f: &Function) -> Option<bool> {
    let doc = &tpl.doc;
    let mut unknown = false;
    let mut check = |node: NodeId| -> bool {
        if doc.intrinsic(node).is_some() {
            unknown = true;
            return false;
        }
        true
    };
    // SAM `DeadLetterQueue` / CFN `DeadLetterConfig` (TargetArn).
    let dlq_prop = if f.sam {
        "DeadLetterQueue"
    } else {
        "DeadLetterConfig"
    };
    if let Some(p) = f.prop(tpl, dlq_prop)
        && check(p.node)
        && doc.get(p.node, "TargetArn").is_some()
    {
        return Some(true);
    }
    // SAM `EventInvokeConfig.DestinationConfig.OnFailure`.
    if f.sam
        && let Some(p) = f.prop(tpl, "EventInvokeConfig")
        && check(p.node)
        && let Some(on_failure) = doc.get_path(p.node, &["DestinationConfig", "OnFailure"])
    {
        if doc.intrinsic(on_failure).is_some() {
            return None;
        }
        return Some(true);
    }
    // `AWS::Lambda::EventInvokeConfig` for this function.
    for r in tpl.resources_of("AWS::Lambda::EventInvokeConfig") {
        let Some(fname) = tpl.prop(r, "FunctionName") else {
            continue;
        };
        if tpl.ref_resource(fname) != Some(f.id.as_str()) {
            continue;
        }
        let Some(props) = r.properties else { continue };
        if let Some(on_failure) = doc.get_path(props, &["DestinationConfig", "OnFailure"]) {
            if doc.get(on_failure, "Destination").is_some() || doc.intrinsic(on_failure).is_some() {
                return Some(true);
            }
        } else if doc
            .get(props, "DestinationConfig")
            .is_some_and(|d| doc.intrinsic(d).is_some())
        {
            unknown = true;
        }
    }
    if unknown { None } else { Some(false) }
}

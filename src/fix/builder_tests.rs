//! The edit builders on YAML block, YAML flow and JSON (2 and 4 spaces, CRLF) text.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::PathBuf;
use std::sync::Arc;

use super::edit::Editor;
use super::style::Style;
use super::val::Val;
use super::{Applicability, Edit, apply_edits};
use crate::load::NodeId;
use crate::model::Template;
use crate::source::SourceFile;

fn template(name: &str, text: &str) -> Template {
    let file = Arc::new(SourceFile::new(
        PathBuf::from(name),
        name.to_string(),
        text.to_string(),
    ));
    let loaded = crate::load::load(text, file.format()).unwrap();
    Template::new(file, loaded)
}

/// Run `build` on the template and return the edited text (which must load again).
fn edit(
    name: &str,
    text: &str,
    build: impl FnOnce(&mut Editor<'_>, &Template) -> Option<()>,
) -> String {
    let tpl = template(name, text);
    let style = Style::detect(&tpl);
    let mut e = Editor::new(&tpl, &style);
    build(&mut e, &tpl).expect("builder refused");
    let fix = e.finish("t".into(), Applicability::Safe).unwrap();
    let edits: Vec<&Edit> = fix.edits.iter().collect();
    let out = apply_edits(text, &edits).unwrap();
    crate::load::load(&out, tpl.file.format()).unwrap_or_else(|e| panic!("{e}:\n{out}"));
    out
}

fn res(tpl: &Template, id: &str) -> NodeId {
    tpl.resource(id).unwrap().node
}

fn props(tpl: &Template, id: &str) -> NodeId {
    tpl.resource(id).unwrap().properties.unwrap()
}

#[test]
fn insert_into_yaml_block_mapping_keeps_comments_and_indentation() {
    let text = "Resources:\n    Fn:   # the function\n        Type: AWS::Lambda::Function\n        Properties:\n            Handler: a.b  # entry\n            # Runtime next\n            Runtime: python3.13\n    # queue\n    Q:\n        Type: AWS::SQS::Queue\n";
    let out = edit("t.yaml", text, |e, t| {
        e.insert(props(t, "Fn"), &["Timeout"], Val::Int(3))
    });
    assert_eq!(
        out,
        "Resources:\n    Fn:   # the function\n        Type: AWS::Lambda::Function\n        Properties:\n            Handler: a.b  # entry\n            # Runtime next\n            Runtime: python3.13\n            Timeout: 3\n    # queue\n    Q:\n        Type: AWS::SQS::Queue\n"
    );
    // A missing `Properties` is created with the detected 4-space step.
    let out = edit("t.yaml", text, |e, t| {
        e.insert(
            res(t, "Q"),
            &["Properties", "VisibilityTimeout"],
            Val::Int(180),
        )
    });
    assert!(
        out.ends_with("    Q:\n        Type: AWS::SQS::Queue\n        Properties:\n            VisibilityTimeout: 180\n"),
        "{out}"
    );
}

#[test]
fn insert_after_block_scalars_and_at_end_of_file_without_newline() {
    let text = "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Code:\n        ZipFile: |\n          def h(e, c):\n              return 1\n\n  Q:\n    Type: AWS::SQS::Queue";
    let out = edit("t.yaml", text, |e, t| {
        e.insert(props(t, "Fn"), &["Timeout"], Val::Int(3))
    });
    assert!(
        out.contains("              return 1\n      Timeout: 3\n\n  Q:"),
        "{out}"
    );
    let out = edit("t.yaml", text, |e, t| {
        e.insert(res(t, "Q"), &["Properties", "X"], Val::Int(1))
    });
    assert!(
        out.ends_with("Type: AWS::SQS::Queue\n    Properties:\n      X: 1\n"),
        "{out}"
    );
    // `|+` keeps its trailing line breaks: nothing may be inserted after it.
    let kept = "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Code:\n        ZipFile: |+\n          x\n\n";
    let tpl = template("t.yaml", kept);
    let style = Style::detect(&tpl);
    let mut e = Editor::new(&tpl, &style);
    assert!(
        e.insert(props(&tpl, "Fn"), &["Timeout"], Val::Int(3))
            .is_none()
    );
}

#[test]
fn insert_into_yaml_flow_mapping() {
    let text = "Resources:\n  Q: {Type: AWS::SQS::Queue, Properties: {DelaySeconds: 5}}\n  R: {Type: AWS::SQS::Queue, Properties: {}}\n";
    let out = edit("t.yaml", text, |e, t| {
        e.insert(
            props(t, "Q"),
            &["RedrivePolicy"],
            Val::map([
                ("maxReceiveCount", Val::Int(5)),
                ("deadLetterTargetArn", Val::get_att("D", "Arn")),
            ]),
        )
    });
    assert!(
        out.contains("Properties: {DelaySeconds: 5, RedrivePolicy: {maxReceiveCount: 5, deadLetterTargetArn: !GetAtt D.Arn}}}"),
        "{out}"
    );
    let out = edit("t.yaml", text, |e, t| {
        e.insert(props(t, "R"), &["VisibilityTimeout"], Val::Int(30))
    });
    assert!(
        out.contains("Properties: {VisibilityTimeout: 30}}"),
        "{out}"
    );
}

#[test]
fn insert_into_json_objects_with_their_indentation_and_line_endings() {
    for (unit, nl) in [("  ", "\n"), ("    ", "\n"), ("  ", "\r\n"), ("\t", "\n")] {
        let text = format!(
            "{{{nl}{unit}\"Resources\": {{{nl}{unit}{unit}\"Q\": {{{nl}{unit}{unit}{unit}\"Type\": \"AWS::SQS::Queue\"{nl}{unit}{unit}}},{nl}{unit}{unit}\"R\": {{\"Type\": \"AWS::SQS::Queue\", \"Properties\": {{}}}}{nl}{unit}}}{nl}}}{nl}"
        );
        let out = edit("t.json", &text, |e, t| {
            e.insert(
                res(t, "Q"),
                &["Properties", "VisibilityTimeout"],
                Val::Int(180),
            )
        });
        let u3 = unit.repeat(3);
        let u4 = unit.repeat(4);
        assert!(
            out.contains(&format!(
                "\"Type\": \"AWS::SQS::Queue\",{nl}{u3}\"Properties\": {{{nl}{u4}\"VisibilityTimeout\": 180{nl}{u3}}}{nl}"
            )),
            "{unit:?} {nl:?}:\n{out}"
        );
        let out = edit("t.json", &text, |e, t| {
            e.insert(props(t, "R"), &["VisibilityTimeout"], Val::Int(180))
        });
        assert!(
            out.contains("\"Properties\": {\"VisibilityTimeout\": 180}}"),
            "{out}"
        );
        let out = edit("t.json", &text, |e, _| {
            e.add_resource(
                "QDLQ",
                "AWS::SQS::Queue",
                Val::map([("MessageRetentionPeriod", Val::Int(1209600))]),
            )
            .map(|_| ())
        });
        let u2 = unit.repeat(2);
        assert!(
            out.contains(&format!(
                "}}}},{nl}{u2}\"QDLQ\": {{{nl}{u3}\"Type\": \"AWS::SQS::Queue\",{nl}{u3}\"Properties\": {{{nl}{u4}\"MessageRetentionPeriod\": 1209600{nl}{u3}}}{nl}{u2}}}{nl}{unit}}}"
            )),
            "{out}"
        );
        assert_eq!(
            out.matches('\r').count(),
            out.matches('\n').count() * usize::from(nl == "\r\n")
        );
    }
}

#[test]
fn set_keeps_quotes() {
    let text = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      VisibilityTimeout: '30'\n      DelaySeconds: \"5\"\n      MaximumMessageSize: 1024 # bytes\n";
    let out = edit("t.yaml", text, |e, t| {
        let p = props(t, "Q");
        let d = &t.doc;
        e.set(d.get(p, "VisibilityTimeout")?, &Val::Int(180))?;
        e.set(d.get(p, "DelaySeconds")?, &Val::Int(0))?;
        e.set(d.get(p, "MaximumMessageSize")?, &Val::Int(2048))
    });
    assert!(out.contains("VisibilityTimeout: '180'\n      DelaySeconds: \"0\"\n      MaximumMessageSize: 2048 # bytes\n"), "{out}");
    // Block scalars and intrinsics are not replaced.
    let text = "A:\n  B: |\n    30\n  C: !Ref P\n";
    let tpl = template("t.yaml", text);
    let style = Style::detect(&tpl);
    let mut e = Editor::new(&tpl, &style);
    let a = tpl.doc.get(tpl.doc.root.unwrap(), "A").unwrap();
    assert!(e.set(tpl.doc.get(a, "B").unwrap(), &Val::Int(1)).is_none());
    assert!(e.set(tpl.doc.get(a, "C").unwrap(), &Val::Int(1)).is_none());
}

#[test]
fn push_onto_lists() {
    // Indented and not indented block sequences, a flow sequence, a JSON array.
    let text = "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      Policies:\n      - PolicyName: a\n        PolicyDocument: {}\n      ManagedPolicyArns:\n        - arn:x\n      Tags: [a]\n";
    let out = edit("t.yaml", text, |e, t| {
        let p = props(t, "R");
        e.push(
            t.doc.get(p, "Policies")?,
            Val::map([
                ("PolicyName", Val::str("b")),
                (
                    "PolicyDocument",
                    Val::map([("Version", Val::str("2012-10-17"))]),
                ),
            ]),
        )?;
        e.push(t.doc.get(p, "ManagedPolicyArns")?, Val::str("arn:y"))?;
        e.push(t.doc.get(p, "Tags")?, Val::str("b"))
    });
    assert_eq!(
        out,
        "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      Policies:\n      - PolicyName: a\n        PolicyDocument: {}\n      - PolicyName: b\n        PolicyDocument:\n          Version: '2012-10-17'\n      ManagedPolicyArns:\n        - arn:x\n        - arn:y\n      Tags: [a, b]\n"
    );
    let text = "{\n    \"Resources\": {\n        \"R\": {\n            \"Type\": \"AWS::IAM::Role\",\n            \"Properties\": {\n                \"Policies\": [\n                    {\"PolicyName\": \"a\"}\n                ],\n                \"Tags\": []\n            }\n        }\n    }\n}\n";
    let out = edit("t.json", text, |e, t| {
        let p = props(t, "R");
        e.push(
            t.doc.get(p, "Policies")?,
            Val::map([("PolicyName", Val::str("b"))]),
        )?;
        e.push(t.doc.get(p, "Tags")?, Val::str("x"))
    });
    assert!(
        out.contains("{\"PolicyName\": \"a\"},\n                    {\n                        \"PolicyName\": \"b\"\n                    }\n                ],\n                \"Tags\": [\"x\"]"),
        "{out}"
    );
}

#[test]
fn sections_go_before_resources_above_their_comments() {
    let text = "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\n\n# The resources\nResources:\n  A:\n    Type: AWS::Serverless::Function\n";
    let out = edit("t.yaml", text, |e, t| {
        e.insert_before(
            t.doc.root?,
            "Globals",
            "Resources",
            Val::map([("Function", Val::map([("Timeout", Val::Int(3))]))]),
        )
    });
    assert_eq!(
        out,
        "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\n\nGlobals:\n  Function:\n    Timeout: 3\n\n# The resources\nResources:\n  A:\n    Type: AWS::Serverless::Function\n"
    );
    let text = "{\n  \"Transform\": \"AWS::Serverless-2016-10-31\",\n  \"Resources\": {\"A\": {\"Type\": \"AWS::Serverless::Function\"}}\n}\n";
    let out = edit("t.json", text, |e, t| {
        e.insert_before(
            t.doc.root?,
            "Globals",
            "Resources",
            Val::map([("Function", Val::map([("Timeout", Val::Int(3))]))]),
        )
    });
    assert!(
        out.contains("\"Globals\": {\n    \"Function\": {\n      \"Timeout\": 3\n    }\n  },\n  \"Resources\""),
        "{out}"
    );
}

#[test]
fn fresh_ids_do_not_collide_and_follow_the_naming_style() {
    let text = "Transform: AWS::Serverless-2016-10-31\nParameters:\n  OrdersDLQ2: {Type: String}\nResources:\n  OrdersDLQ: {Type: AWS::SQS::Queue}\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n        Q: {Type: SQS}\n";
    let tpl = template("t.yaml", text);
    let style = Style::detect(&tpl);
    let mut e = Editor::new(&tpl, &style);
    assert_eq!(e.fresh_id("OrdersDLQ"), "OrdersDLQ3");
    assert_eq!(e.fresh_id("OrdersDLQ"), "OrdersDLQ4");
    assert_eq!(e.fresh_id("FnRole"), "FnRole2");
    assert_eq!(e.fresh_id("FnQDLQ"), "FnQDLQ");
    assert_eq!(e.fresh_id("FnQ"), "FnQ2");
    assert_eq!(e.fresh_id("FnQPermission"), "FnQPermission2");
    assert_eq!(e.fresh_id("Fn-DLQ!"), "FnDLQ");
    let text = "Resources:\n  ordersQueue: {Type: AWS::SQS::Queue}\n  ordersDeadLetterQueue: {Type: AWS::SQS::Queue}\n";
    let tpl = template("t.yaml", text);
    let style = Style::detect(&tpl);
    assert_eq!(style.dlq_suffix, "DeadLetterQueue");
    let mut e = Editor::new(&tpl, &style);
    assert_eq!(e.fresh_id("OtherQueue"), "otherQueue");
}

#[test]
fn style_detection() {
    let tpl = template(
        "t.yaml",
        "Resources:\n   A:\n      Type: X\n      Properties:\n         L:\n         - 1\n         G: {\"Fn::GetAtt\": [A, Arn]}\n",
    );
    let s = Style::detect(&tpl);
    assert_eq!(s.step, 3);
    assert!(!s.indent_sequences);
    assert!(!s.short_intrinsics);
    assert!(s.double_quotes);
    let tpl = template("t.json", "{\"Resources\": {\"A\": {\"Type\": \"X\"}}}");
    let s = Style::detect(&tpl);
    assert!(!s.json_multiline);
}

fn refused(name: &str, text: &str, build: impl FnOnce(&mut Editor<'_>, &Template) -> Option<()>) {
    let tpl = template(name, text);
    let style = Style::detect(&tpl);
    let mut e = Editor::new(&tpl, &style);
    assert!(build(&mut e, &tpl).is_none(), "{name}: not refused");
}

fn list(tpl: &Template, id: &str, key: &str) -> NodeId {
    tpl.doc.get(props(tpl, id), key).unwrap()
}

#[test]
fn remove_items_in_every_style() {
    // YAML block: the item's lines go, comments on other lines stay.
    let text = "Resources:\n  R:\n    Type: X\n    Properties:\n      L:\n        # first\n        - a\n        - b\n        - {c: 1}\n        - d\n";
    let out = edit("t.yaml", text, |e, t| {
        e.remove_items(list(t, "R", "L"), &[1, 2])
    });
    assert_eq!(
        out,
        "Resources:\n  R:\n    Type: X\n    Properties:\n      L:\n        # first\n        - a\n        - d\n"
    );
    // The last item of a block list at the end of the file, without a final line break.
    let text = "Resources:\n  R:\n    Type: X\n    Properties:\n      L:\n        - a\n        - b";
    let out = edit("t.yaml", text, |e, t| {
        e.remove_items(list(t, "R", "L"), &[1])
    });
    assert_eq!(
        out,
        "Resources:\n  R:\n    Type: X\n    Properties:\n      L:\n        - a\n"
    );
    // YAML flow: a run in the middle, a run at the end.
    let text = "Resources:\n  R: {Type: X, Properties: {L: [a, b, c, d, e]}}\n";
    let out = edit("t.yaml", text, |e, t| {
        e.remove_items(list(t, "R", "L"), &[1, 2, 4])
    });
    assert_eq!(out, "Resources:\n  R: {Type: X, Properties: {L: [a, d]}}\n");
    // JSON over several lines (CRLF): the separator goes with the item.
    let text = "{\r\n  \"Resources\": {\r\n    \"R\": {\r\n      \"Type\": \"X\",\r\n      \"Properties\": {\r\n        \"L\": [\r\n          \"a\",\r\n          \"b\"\r\n        ]\r\n      }\r\n    }\r\n  }\r\n}\r\n";
    let out = edit("t.json", text, |e, t| {
        e.remove_items(list(t, "R", "L"), &[1])
    });
    assert_eq!(
        out,
        "{\r\n  \"Resources\": {\r\n    \"R\": {\r\n      \"Type\": \"X\",\r\n      \"Properties\": {\r\n        \"L\": [\r\n          \"a\"\r\n        ]\r\n      }\r\n    }\r\n  }\r\n}\r\n"
    );
    let out = edit("t.json", text, |e, t| {
        e.remove_items(list(t, "R", "L"), &[0])
    });
    assert!(
        out.contains("\"L\": [\r\n          \"b\"\r\n        ]"),
        "{out}"
    );
}

#[test]
fn remove_refuses_to_empty_a_list_or_lose_a_comment() {
    let text = "Resources:\n  R:\n    Type: X\n    Properties:\n      L:\n        - a\n        - b  # keep\n";
    refused("t.yaml", text, |e, t| {
        e.remove_items(list(t, "R", "L"), &[0, 1])
    });
    refused("t.yaml", text, |e, t| {
        e.remove_items(list(t, "R", "L"), &[1])
    });
    refused("t.yaml", text, |e, t| {
        e.remove_items(list(t, "R", "L"), &[7])
    });
    let text = "Resources:\n  R: {Type: X, Properties: {L: [a, # why\n    b]}}\n";
    refused("t.yaml", text, |e, t| {
        e.remove_items(list(t, "R", "L"), &[0])
    });
}

#[test]
fn remove_entries_in_every_style() {
    let text = "Resources:\n  R:\n    Type: X\n    Properties:\n      A: 1\n      Policies:\n        - P: 1\n      B: 2\n";
    let out = edit("t.yaml", text, |e, t| {
        e.remove_entries(props(t, "R"), &["Policies"])
    });
    assert_eq!(
        out,
        "Resources:\n  R:\n    Type: X\n    Properties:\n      A: 1\n      B: 2\n"
    );
    let text = "Resources:\n  R: {Type: X, Properties: {A: 1, Policies: [{P: 1}]}}\n";
    let out = edit("t.yaml", text, |e, t| {
        e.remove_entries(props(t, "R"), &["Policies"])
    });
    assert_eq!(out, "Resources:\n  R: {Type: X, Properties: {A: 1}}\n");
    let text = "{\n    \"Resources\": {\n        \"R\": {\n            \"Type\": \"X\",\n            \"Properties\": {\n                \"Policies\": [\n                    {\"P\": 1}\n                ],\n                \"A\": 1\n            }\n        }\n    }\n}\n";
    let out = edit("t.json", text, |e, t| {
        e.remove_entries(props(t, "R"), &["Policies"])
    });
    assert_eq!(
        out,
        "{\n    \"Resources\": {\n        \"R\": {\n            \"Type\": \"X\",\n            \"Properties\": {\n                \"A\": 1\n            }\n        }\n    }\n}\n"
    );
    // Not the only entry, not a missing one.
    let text = "Resources:\n  R:\n    Type: X\n    Properties:\n      Policies: []\n";
    refused("t.yaml", text, |e, t| {
        e.remove_entries(props(t, "R"), &["Policies"])
    });
    refused("t.yaml", text, |e, t| {
        e.remove_entries(props(t, "R"), &["Nope"])
    });
}

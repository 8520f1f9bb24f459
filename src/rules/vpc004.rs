//! VPC004 vpc-function-single-az.

use crate::load::NodeId;
use crate::model::Template;
use crate::model::network::{Az, function_vpc, subnet_az};
use crate::rule::{Context, Report, Rule};

pub struct VpcFunctionSingleAz;

fn az_text(az: &Az) -> String {
    match az {
        Az::Index(i) => format!("the zone `!Select [{i}, !GetAZs '']`"),
        Az::Name(n) => format!("`{}`", n.replace("REGION", "${AWS::Region}")),
        Az::Id(id) => format!("`{id}`"),
    }
}

pub fn message(function: &str, subnets: &[String], az: Option<&Az>, from_globals: bool) -> String {
    let glob = if from_globals {
        " (`VpcConfig` from `Globals.Function`)"
    } else {
        ""
    };
    let list = subnets
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let where_ = match (subnets.len(), az) {
        (1, _) => format!("a single subnet, {list}"),
        (_, Some(az)) => format!("subnets {list}, all in {}", az_text(az)),
        (_, None) => format!("subnets {list}, all in one Availability Zone"),
    };
    format!(
        "function `{function}`{glob} runs in {where_}: Lambda only places the function in the subnets it is given, so when that zone fails or runs out of addresses the function cannot run"
    )
}

/// Does one `SubnetIds` item stand for exactly one subnet (not a list parameter, not computed)?
fn single_subnet(tpl: &Template, item: NodeId) -> Option<String> {
    let doc = &tpl.doc;
    if let Some(s) = doc.as_str(item) {
        return Some(s.to_string());
    }
    match doc.intrinsic(item)? {
        ("Ref", p) => {
            let name = doc.as_str(p)?;
            if tpl.resources.contains_key(name) {
                return Some(name.to_string());
            }
            let ty = doc
                .root
                .and_then(|r| doc.get_path(r, &["Parameters", name, "Type"]))
                .and_then(|t| doc.as_str(t))?;
            (ty == "AWS::EC2::Subnet::Id"
                || ty == "AWS::SSM::Parameter::Value<AWS::EC2::Subnet::Id>")
                .then(|| format!("parameter {name}"))
        }
        ("Fn::ImportValue" | "Fn::Select" | "Fn::GetAtt", _) => Some(
            doc.scalar_text(item)
                .unwrap_or_else(|| "an imported subnet".into()),
        ),
        _ => None,
    }
}

impl Rule for VpcFunctionSingleAz {
    fn code(&self) -> &'static str {
        "VPC004"
    }

    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        let tpl = &app.tpl;
        let doc = &tpl.doc;
        for f in app.functions.values() {
            let Some(vpc) = function_vpc(tpl, f) else {
                continue;
            };
            let Some(items) = f
                .nested(tpl, &["VpcConfig", "SubnetIds"])
                .first()
                .and_then(|p| {
                    doc.as_seq(p.node)
                        .filter(|_| doc.intrinsic(p.node).is_none())
                })
            else {
                continue;
            };
            let (subnets, az): (Vec<String>, Option<Az>) = match items {
                [] => continue,
                [one] => match single_subnet(tpl, *one) {
                    Some(s) => {
                        let az = tpl.resource(&s).and(subnet_az(tpl, &s));
                        let name = if s.starts_with("parameter ") {
                            s.trim_start_matches("parameter ").to_string()
                        } else {
                            s
                        };
                        (vec![name], az)
                    }
                    None => continue,
                },
                many => {
                    let Some(uses) = &vpc.subnets else { continue };
                    // Every item a subnet of this template with a known zone.
                    let mut ids: Vec<String> = Vec::new();
                    let mut zones: Vec<Az> = Vec::new();
                    let mut known = uses.len() == many.len();
                    for u in uses {
                        let Some(id) = &u.subnet else {
                            known = false;
                            break;
                        };
                        let Some(az) = subnet_az(tpl, id) else {
                            known = false;
                            break;
                        };
                        if !ids.contains(id) {
                            ids.push(id.clone());
                        }
                        if !zones.contains(&az) {
                            zones.push(az);
                        }
                    }
                    if !known || zones.len() != 1 {
                        continue;
                    }
                    (ids, zones.pop())
                }
            };
            let target = if vpc.from_globals {
                "`Globals.Function`"
            } else {
                "the function"
            };
            cx.emit(
                Report::new(vpc.key_span, message(&f.id, &subnets, az.as_ref(), vpc.from_globals))
                    .resource(&f.id)
                    .path(&["VpcConfig", "SubnetIds"])
                    .help(format!(
                        "list subnets in at least two Availability Zones in `VpcConfig.SubnetIds` of {target} (for example one per `!Select [n, !GetAZs '']`)"
                    )),
            );
        }
    }
}

//! VPC002 vpc-function-in-public-subnet.

use crate::model::network::{Egress, RouteTables, function_vpc};
use crate::rule::{Context, Report, Rule};

pub struct VpcFunctionInPublicSubnet;

pub fn message(function: &str, subnet: &str, route_table: &str, igw: &str) -> String {
    format!(
        "function `{function}` uses public subnet `{subnet}`: route table `{route_table}` sends `0.0.0.0/0` to internet gateway `{igw}`, but Lambda network interfaces get no public IP, so the function cannot reach the internet or public AWS endpoints from there"
    )
}

impl Rule for VpcFunctionInPublicSubnet {
    fn code(&self) -> &'static str {
        "VPC002"
    }

    fn check(&self, cx: &mut Context<'_>) {
        let app = cx.app;
        let tpl = &app.tpl;
        if tpl.resources_of("AWS::EC2::Subnet").next().is_none() {
            return;
        }
        let mut tables = RouteTables::default();
        for f in app.functions.values() {
            let Some(vpc) = function_vpc(tpl, f) else {
                continue;
            };
            let Some(subnets) = &vpc.subnets else {
                continue;
            };
            for (i, s) in subnets.iter().enumerate() {
                let Some(id) = &s.subnet else { continue };
                let Some((rt, egress)) = tables.of(tpl, id) else {
                    continue;
                };
                let Egress::InternetGatewayOnly(igw) = egress else {
                    continue;
                };
                cx.emit(
                    Report::new(s.span, message(&f.id, id, &rt, &igw))
                        .resource(&f.id)
                        .path(&["VpcConfig".to_string(), "SubnetIds".into(), i.to_string()])
                        .help(format!(
                            "use private subnets whose route table sends `0.0.0.0/0` to a NAT gateway instead of `{id}`; for AWS services only, VPC endpoints also work"
                        )),
                );
            }
        }
    }
}

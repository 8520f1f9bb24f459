//! Which IAM actions support resource-level permissions, from data/iam_actions.tsv.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The actions of one service prefix, lowercase and sorted.
#[derive(Debug, Default)]
pub struct ServiceActions {
    /// Actions that can be scoped to resources (an ARN in `Resource` narrows them).
    pub scoped: Vec<Box<str>>,
    /// Actions that only accept `Resource: "*"`.
    pub unscoped: Vec<Box<str>>,
}

/// Does an action accept resource-level permissions?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    Scoped,
    Unscoped,
    /// Service or action not in the table: not judged.
    Unknown,
}

fn parse(text: &str) -> HashMap<Box<str>, ServiceActions> {
    let mut out: HashMap<Box<str>, ServiceActions> = HashMap::new();
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let mut cols = line.split('\t');
        let Some(prefix) = cols.next() else { continue };
        let list = |c: Option<&str>| -> Vec<Box<str>> {
            let mut v: Vec<Box<str>> = c
                .unwrap_or("")
                .split(',')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(|a| a.to_ascii_lowercase().into_boxed_str())
                .collect();
            v.sort();
            v.dedup();
            v
        };
        let scoped = list(cols.next());
        let unscoped = list(cols.next());
        let e = out
            .entry(prefix.trim().to_ascii_lowercase().into_boxed_str())
            .or_default();
        e.scoped.extend(scoped);
        e.unscoped.extend(unscoped);
        e.scoped.sort();
        e.unscoped.sort();
    }
    out
}

/// The table, parsed once.
pub fn table() -> &'static HashMap<Box<str>, ServiceActions> {
    static TABLE: OnceLock<HashMap<Box<str>, ServiceActions>> = OnceLock::new();
    TABLE.get_or_init(|| parse(include_str!("../../data/iam_actions.tsv")))
}

/// Case-insensitive glob match with `*` (any run) and `?` (one character); `pat` and `text`
/// are compared ASCII-case-insensitively.
pub fn glob_match(pat: &str, text: &str) -> bool {
    let p: Vec<char> = pat.chars().map(|c| c.to_ascii_lowercase()).collect();
    let t: Vec<char> = text.chars().map(|c| c.to_ascii_lowercase()).collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == '?' || Some(&c) == t.get(ti) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|&c| c == '*'))
}

/// Resource-level support of one exact action (`s3:GetObject`).
pub fn support(action: &str) -> Support {
    let Some((svc, name)) = action.split_once(':') else {
        return Support::Unknown;
    };
    let Some(s) = table().get(svc.to_ascii_lowercase().as_str()) else {
        return Support::Unknown;
    };
    let name = name.to_ascii_lowercase();
    if s.scoped
        .binary_search_by(|x| (**x).cmp(name.as_str()))
        .is_ok()
    {
        Support::Scoped
    } else if s
        .unscoped
        .binary_search_by(|x| (**x).cmp(name.as_str()))
        .is_ok()
    {
        Support::Unscoped
    } else {
        Support::Unknown
    }
}

/// Actions (`service:action`, lowercase) with resource-level permissions that an action pattern
/// (`s3:Get*`, `dynamodb:*`, `s3:GetObject`) covers. `*` alone expands over every service.
/// Unknown services and actions give nothing.
pub fn scoped_matches(pattern: &str) -> Vec<String> {
    let (svc_pat, name_pat) = match pattern.split_once(':') {
        Some(x) => x,
        None if pattern.chars().all(|c| c == '*') && !pattern.is_empty() => ("*", "*"),
        None => return Vec::new(),
    };
    let mut out = Vec::new();
    for (svc, actions) in table() {
        if !glob_match(svc_pat, svc) {
            continue;
        }
        for a in &actions.scoped {
            if glob_match(name_pat, a) {
                out.push(format!("{svc}:{a}"));
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn table_loads_and_knows_common_services() {
        let t = table();
        assert!(t.len() > 300, "{} services", t.len());
        assert!(t.contains_key("s3") && t.contains_key("dynamodb") && t.contains_key("logs"));
    }

    #[test]
    fn exact_action_support() {
        assert_eq!(support("s3:GetObject"), Support::Scoped);
        assert_eq!(support("S3:getobject"), Support::Scoped);
        assert_eq!(support("dynamodb:PutItem"), Support::Scoped);
        assert_eq!(support("s3:ListAllMyBuckets"), Support::Unscoped);
        assert_eq!(support("ec2:DescribeImages"), Support::Unscoped);
        assert_eq!(support("s3:NoSuchAction"), Support::Unknown);
        assert_eq!(support("nosuchservice:Get"), Support::Unknown);
        assert_eq!(support("GetObject"), Support::Unknown);
    }

    #[test]
    fn glob() {
        assert!(glob_match("Get*", "getobject"));
        assert!(glob_match("*", ""));
        assert!(glob_match("get?bject", "GetObject"));
        assert!(glob_match("*Network*", "CreateNetworkInterface"));
        assert!(!glob_match("Get*", "PutObject"));
        assert!(!glob_match("get?", "getxx"));
        assert!(glob_match("a*b*c", "axxbyyc"));
        assert!(!glob_match("a*b*c", "axxbyy"));
    }

    #[test]
    fn pattern_expansion() {
        let gets = scoped_matches("s3:Get*");
        assert!(gets.contains(&"s3:getobject".to_string()));
        assert!(!gets.iter().any(|a| !a.starts_with("s3:get")));
        assert!(scoped_matches("s3:ListAllMyBuckets").is_empty());
        assert_eq!(
            scoped_matches("S3:GetObject"),
            vec!["s3:getobject".to_string()]
        );
        assert!(scoped_matches("dynamodb:*").len() > 10);
        assert!(scoped_matches("*").len() > 1000);
        assert!(scoped_matches("nosuch:*").is_empty());
    }
}

//! Policy conditions: each names a key of the request context and says what its value must be
//! (`shared/spec/api.md` §6.3, Ladon's condition types). A missing key fulfils no condition.
//!
//! Stricter than Ladon: an unknown type, options of the wrong shape, an invalid regex or CIDR
//! are refused when the policy is written, instead of silently never matching.

use ipnet::IpNet;
use regex::Regex;
use serde_json::{Map, Value};

use super::template::{MAX_TEMPLATE_LEN, build};

/// One condition on a context value.
#[derive(Debug, Clone)]
pub enum Condition {
    /// `StringEqualCondition`: the value is a string equal to `equals`.
    StringEqual {
        /// The required value.
        equals: String,
    },
    /// `StringMatchCondition`: the value is a string the regex matches (unanchored, as Ladon).
    StringMatch {
        /// The regex as written.
        matches: String,
        /// The regex compiled within the template size limits.
        regex: Regex,
    },
    /// `CIDRCondition`: the value is an IP address inside the network.
    Cidr {
        /// The network as written (`192.168.0.1/16` is accepted, as Go's `ParseCIDR` does).
        cidr: String,
        /// The parsed network.
        net: IpNet,
    },
    /// `EqualsSubjectCondition`: the value is a string equal to the request's subject.
    EqualsSubject,
    /// `StringPairsEqualCondition`: the value is an array of two-string arrays whose two
    /// strings are equal (an empty array qualifies, as in Ladon).
    StringPairsEqual,
}

/// Type names, in the order documented.
pub const CONDITION_TYPES: [&str; 5] = [
    "StringEqualCondition",
    "StringMatchCondition",
    "CIDRCondition",
    "EqualsSubjectCondition",
    "StringPairsEqualCondition",
];

impl Condition {
    /// Parses a condition from its wire form (`type` plus `options`); the error says why it is
    /// not acceptable. `null` options count as `{}`.
    pub fn parse(kind: &str, options: &Value) -> Result<Self, String> {
        let empty = Map::new();
        let options = match options {
            Value::Null => &empty,
            Value::Object(map) => map,
            _ => return Err("options must be a JSON object".to_owned()),
        };
        let string = |name: &str| -> Result<String, String> {
            match options.get(name) {
                Some(Value::String(s)) => Ok(s.clone()),
                _ => Err(format!("{kind} needs the string option {name:?}")),
            }
        };
        match kind {
            "StringEqualCondition" => Ok(Self::StringEqual {
                equals: string("equals")?,
            }),
            "StringMatchCondition" => {
                let matches = string("matches")?;
                if matches.len() > MAX_TEMPLATE_LEN {
                    return Err(format!("the regex is longer than {MAX_TEMPLATE_LEN} bytes"));
                }
                let regex = build(&matches).map_err(|e| format!("invalid regex: {e}"))?;
                Ok(Self::StringMatch { matches, regex })
            }
            "CIDRCondition" => {
                let cidr = string("cidr")?;
                let net = cidr
                    .trim()
                    .parse::<IpNet>()
                    .map_err(|_| format!("{cidr:?} is not a CIDR such as 192.168.0.0/16"))?;
                Ok(Self::Cidr { cidr, net })
            }
            "EqualsSubjectCondition" => Ok(Self::EqualsSubject),
            "StringPairsEqualCondition" => Ok(Self::StringPairsEqual),
            other => Err(format!(
                "unknown condition type {other:?} (known: {})",
                CONDITION_TYPES.join(", ")
            )),
        }
    }

    /// The wire `type`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::StringEqual { .. } => CONDITION_TYPES[0],
            Self::StringMatch { .. } => CONDITION_TYPES[1],
            Self::Cidr { .. } => CONDITION_TYPES[2],
            Self::EqualsSubject => CONDITION_TYPES[3],
            Self::StringPairsEqual => CONDITION_TYPES[4],
        }
    }

    /// The wire `options` (what [`Condition::parse`] reads back).
    pub fn options(&self) -> Value {
        let mut map = Map::new();
        match self {
            Self::StringEqual { equals } => {
                map.insert("equals".into(), Value::String(equals.clone()));
            }
            Self::StringMatch { matches, .. } => {
                map.insert("matches".into(), Value::String(matches.clone()));
            }
            Self::Cidr { cidr, .. } => {
                map.insert("cidr".into(), Value::String(cidr.clone()));
            }
            Self::EqualsSubject | Self::StringPairsEqual => {}
        }
        Value::Object(map)
    }

    /// Whether the context value (`None` when the key is absent) fulfils the condition for a
    /// request by `subject`.
    pub fn fulfilled_by(&self, value: Option<&Value>, subject: &str) -> bool {
        let Some(value) = value else {
            return false;
        };
        match self {
            Self::StringEqual { equals } => value.as_str() == Some(equals.as_str()),
            Self::StringMatch { regex, .. } => value.as_str().is_some_and(|s| regex.is_match(s)),
            Self::Cidr { net, .. } => value
                .as_str()
                .and_then(|s| s.trim().parse::<std::net::IpAddr>().ok())
                .is_some_and(|ip| contains(net, ip)),
            Self::EqualsSubject => value.as_str() == Some(subject),
            Self::StringPairsEqual => value.as_array().is_some_and(|pairs| {
                pairs
                    .iter()
                    .all(|pair| match pair.as_array().map(Vec::as_slice) {
                        Some([Value::String(a), Value::String(b)]) => a == b,
                        _ => false,
                    })
            }),
        }
    }
}

/// Network membership, treating an IPv4-mapped IPv6 address as the IPv4 address it carries
/// (as Go's `IPNet.Contains` does).
fn contains(net: &IpNet, ip: std::net::IpAddr) -> bool {
    let ip = match ip {
        std::net::IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map_or(std::net::IpAddr::V6(v6), std::net::IpAddr::V4),
        v4 => v4,
    };
    net.contains(&ip)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn cond(kind: &str, options: Value) -> Condition {
        Condition::parse(kind, &options).unwrap()
    }

    #[test]
    fn table_of_conditions() {
        let equal = cond("StringEqualCondition", json!({"equals": "blue"}));
        let matching = cond("StringMatchCondition", json!({"matches": "^team-[a-z]+$"}));
        let unanchored = cond("StringMatchCondition", json!({"matches": "ad"}));
        let cidr = cond("CIDRCondition", json!({"cidr": "192.168.0.1/16"}));
        let cidr6 = cond("CIDRCondition", json!({"cidr": "2001:db8::/32"}));
        let subject = cond("EqualsSubjectCondition", json!({}));
        let pairs = cond("StringPairsEqualCondition", Value::Null);
        let cases: Vec<(&Condition, Option<Value>, bool)> = vec![
            (&equal, Some(json!("blue")), true),
            (&equal, Some(json!("Blue")), false),
            (&equal, Some(json!(["blue"])), false),
            (&equal, None, false),
            (&matching, Some(json!("team-a")), true),
            (&matching, Some(json!("team-A")), false),
            (&matching, Some(json!(1)), false),
            (&unanchored, Some(json!("shadow")), true),
            (&cidr, Some(json!("192.168.7.9")), true),
            (&cidr, Some(json!("192.169.0.1")), false),
            (&cidr, Some(json!("::ffff:192.168.1.1")), true),
            (&cidr, Some(json!("not an ip")), false),
            (&cidr, Some(json!(3232235777u32)), false),
            (&cidr6, Some(json!("2001:db8::1")), true),
            (&cidr6, Some(json!("192.168.0.1")), false),
            (&subject, Some(json!("alice")), true),
            (&subject, Some(json!("bob")), false),
            (&subject, Some(json!("")), false),
            (&subject, None, false),
            (&pairs, Some(json!([["a", "a"], ["b", "b"]])), true),
            (&pairs, Some(json!([])), true),
            (&pairs, Some(json!([["a", "b"]])), false),
            (&pairs, Some(json!([["a", "a", "a"]])), false),
            (&pairs, Some(json!([["a", 1]])), false),
            (&pairs, Some(json!("a")), false),
            (&pairs, None, false),
        ];
        for (condition, value, expected) in cases {
            assert_eq!(
                condition.fulfilled_by(value.as_ref(), "alice"),
                expected,
                "{} {value:?}",
                condition.kind()
            );
        }
    }

    #[test]
    fn bad_conditions_are_refused() {
        for (kind, options) in [
            ("NoSuchCondition", json!({})),
            ("StringEqualCondition", json!({})),
            ("StringEqualCondition", json!({"equals": 1})),
            ("StringMatchCondition", json!({"matches": "("})),
            ("StringMatchCondition", json!({"matches": "a".repeat(2000)})),
            ("CIDRCondition", json!({"cidr": "10.0.0.0"})),
            ("CIDRCondition", json!({"cidr": "10.0.0.0/33"})),
            ("EqualsSubjectCondition", json!("x")),
        ] {
            assert!(
                Condition::parse(kind, &options).is_err(),
                "{kind} {options}"
            );
        }
    }

    #[test]
    fn options_round_trip() {
        for (kind, options) in [
            ("StringEqualCondition", json!({"equals": "x"})),
            ("StringMatchCondition", json!({"matches": "x+"})),
            ("CIDRCondition", json!({"cidr": "10.0.0.0/8"})),
            ("EqualsSubjectCondition", json!({})),
            ("StringPairsEqualCondition", json!({})),
        ] {
            let c = Condition::parse(kind, &options).unwrap();
            assert_eq!(c.kind(), kind);
            assert_eq!(c.options(), options);
        }
    }
}

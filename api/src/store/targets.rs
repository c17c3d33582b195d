//! What a discount code applies to, as a type: every paywall and pass, or a list of paywalls and
//! passes. Stored as one column of space-separated ids (`""`: everything); read once, here,
//! into [`Target`]s, so nothing past the store tells a pass from a paywall by its id's prefix.

use std::fmt;

use plog_shared::{PassId, PaywallId};

/// One paywall or one pass a code applies to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    /// A paywall (the article at its fixed price).
    Paywall(PaywallId),
    /// A pass.
    Pass(PassId),
}

impl Target {
    /// An id as a creator gives it: a pass's, or a paywall's; `None` if it is neither.
    pub fn parse(id: &str) -> Option<Target> {
        let id = id.trim();
        PassId::parse(id).map(Target::Pass).or_else(|_| PaywallId::parse(id).map(Target::Paywall)).ok()
    }

    /// The id.
    pub fn id(&self) -> &str {
        match self {
            Target::Paywall(id) => id.as_str(),
            Target::Pass(id) => id.as_str(),
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// What a code applies to: nothing listed means every paywall and pass.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Targets(Vec<Target>);

/// A stored id that is no paywall's or pass's (a row the code should have refused).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is neither a paywall nor a pass id")]
pub struct NotATarget(pub String);

impl Targets {
    /// Everything: every paywall and pass.
    pub fn everything() -> Targets {
        Targets(Vec::new())
    }

    /// These targets, each once, in the order given.
    pub fn of(targets: impl IntoIterator<Item = Target>) -> Targets {
        let mut listed: Vec<Target> = Vec::new();
        for target in targets {
            if !listed.contains(&target) {
                listed.push(target);
            }
        }
        Targets(listed)
    }

    /// Whether the code applies to everything.
    pub fn is_everything(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether the code applies to the paywall or pass with this id.
    pub fn covers(&self, id: &str) -> bool {
        self.is_everything() || self.0.iter().any(|t| t.id() == id)
    }

    /// The listed targets (none: everything).
    pub fn listed(&self) -> &[Target] {
        &self.0
    }

    /// The column's text: the ids, space-separated.
    pub fn column(&self) -> String {
        self.0.iter().map(Target::id).collect::<Vec<_>>().join(" ")
    }
}

impl TryFrom<String> for Targets {
    type Error = NotATarget;

    /// Reads the column.
    fn try_from(column: String) -> Result<Targets, NotATarget> {
        column
            .split_whitespace()
            .map(|id| Target::parse(id).ok_or_else(|| NotATarget(id.to_owned())))
            .collect::<Result<Vec<_>, _>>()
            .map(Targets::of)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAYWALL: &str = "pw_abcdefghij0123456789";
    const PASS_1: &str = "pass_abcdefghij0123456781";
    const PASS_2: &str = "pass_abcdefghij0123456782";

    #[test]
    fn ids_are_told_apart_once_and_the_column_round_trips() {
        assert_eq!(Target::parse(&format!(" {PASS_1} ")), Some(Target::Pass(PassId::parse(PASS_1).unwrap())));
        assert_eq!(Target::parse(PAYWALL), Some(Target::Paywall(PaywallId::parse(PAYWALL).unwrap())));
        for refused in ["", "pass_", "pass_a b", "pass_abc123", "pw_short", "gift_abc", "pass_é"] {
            assert_eq!(Target::parse(refused), None, "{refused:?}");
        }
        let targets = Targets::try_from(format!("{PASS_1} {PAYWALL} {PASS_1}")).unwrap();
        assert_eq!(targets.listed().len(), 2, "each once");
        assert_eq!(targets.column(), format!("{PASS_1} {PAYWALL}"));
        assert_eq!(Targets::try_from(targets.column()).unwrap(), targets);
        assert_eq!(Targets::try_from("pw_nope".to_owned()), Err(NotATarget("pw_nope".into())));
    }

    #[test]
    fn nothing_listed_covers_everything_and_a_list_only_what_it_lists() {
        let everything = Targets::try_from(String::new()).unwrap();
        assert!(everything.is_everything() && everything.covers(PASS_2) && everything.covers(PAYWALL));
        let one = Targets::try_from(PASS_1.to_owned()).unwrap();
        assert!(one.covers(PASS_1));
        assert!(!one.covers(PAYWALL) && !one.covers(PASS_2));
    }
}

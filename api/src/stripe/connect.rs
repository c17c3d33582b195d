//! Stripe Connect, what the platform sends and reads: a creator's connected account, its
//! onboarding link, whether it can take card payments. The client's calls
//! (`StripeApi::create_connected_account`, `create_account_link`, `connected_account`, and
//! `on_account` for direct charges) send these forms and read these types.
//!
//! **Accounts v1 with controller properties, not Accounts v2.** Stripe's guidance for new
//! platforms is Accounts v2 (`POST /v2/core/accounts`); plog uses the v1 equivalent that guidance
//! names for integrations v2 does not fit, for two reasons of plog's own: async-stripe (the stack's
//! SDK) sends every request to `v1/…` as a form, with no way to send v2's JSON to `/v2/…`; and a
//! v2 account's changes arrive as thin events through event destinations, where plog's webhook
//! reads v1 snapshot events (`account.updated` carries the account as it now stands). The
//! controller properties say what v2's configuration would: the full Stripe dashboard, the
//! account pays Stripe's fees (`fees.payer = account`, v2's `fees_collector: stripe`), Stripe
//! bears the losses (`losses.payments = stripe`), Stripe collects the requirements, and card
//! payments are requested.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

/// A connected account's id (`acct_…`), checked: it goes into a header.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ConnectedAccountId(String);

/// A string that is not a connected account's id.
#[derive(Debug, thiserror::Error)]
#[error("not a Stripe account id (acct_ and letters or digits)")]
pub struct NotAnAccountId;

impl ConnectedAccountId {
    /// `acct_` then 1–64 ASCII letters or digits, as Stripe makes them.
    pub fn parse(text: &str) -> Result<ConnectedAccountId, NotAnAccountId> {
        let rest = text.strip_prefix("acct_").ok_or(NotAnAccountId)?;
        if rest.is_empty() || rest.len() > 64 || !rest.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(NotAnAccountId);
        }
        Ok(ConnectedAccountId(text.to_owned()))
    }

    /// The id as Stripe writes it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ConnectedAccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `POST /v1/accounts` (AccountCreateParams): a creator's account, as the module says.
#[derive(Serialize)]
pub(crate) struct CreateAccount<'a> {
    pub(crate) controller: Controller,
    pub(crate) capabilities: RequestedCapabilities,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) email: Option<&'a str>,
    pub(crate) metadata: BTreeMap<&'a str, &'a str>,
}

/// Who runs the account (AccountCreateParamsController).
#[derive(Serialize)]
pub(crate) struct Controller {
    fees: Fees,
    losses: Losses,
    requirement_collection: &'static str,
    stripe_dashboard: Dashboard,
}

#[derive(Serialize)]
struct Fees {
    payer: &'static str,
}

#[derive(Serialize)]
struct Losses {
    payments: &'static str,
}

#[derive(Serialize)]
struct Dashboard {
    #[serde(rename = "type")]
    kind: &'static str,
}

/// The capabilities asked for: card payments.
#[derive(Serialize)]
pub(crate) struct RequestedCapabilities {
    card_payments: Requested,
}

#[derive(Serialize)]
struct Requested {
    requested: bool,
}

impl CreateAccount<'_> {
    /// The creator's own account: full dashboard, its own fees, Stripe's losses and requirements.
    pub(crate) fn for_creator<'a>(creator: &'a str, email: Option<&'a str>) -> CreateAccount<'a> {
        CreateAccount {
            controller: Controller {
                fees: Fees { payer: "account" },
                losses: Losses { payments: "stripe" },
                requirement_collection: "stripe",
                stripe_dashboard: Dashboard { kind: "full" },
            },
            capabilities: RequestedCapabilities { card_payments: Requested { requested: true } },
            email,
            metadata: BTreeMap::from([("plog_creator", creator)]),
        }
    }
}

/// `POST /v1/account_links` (AccountLinkCreateParams).
#[derive(Serialize)]
pub(crate) struct CreateAccountLink<'a> {
    pub(crate) account: &'a str,
    pub(crate) refresh_url: &'a str,
    pub(crate) return_url: &'a str,
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
}

/// The fields of a connected account plog reads.
#[derive(Debug, Clone, miniserde::Deserialize)]
pub struct ConnectedAccount {
    /// `acct_…`.
    pub id: String,
    /// Whether Stripe lets it take charges at all.
    pub charges_enabled: Option<bool>,
    /// Whether its holder finished onboarding.
    pub details_submitted: Option<bool>,
    /// Its capabilities' statuses.
    pub capabilities: Option<AccountCapabilities>,
}

/// A connected account's capabilities, as far as plog reads them.
#[derive(Debug, Clone, miniserde::Deserialize)]
pub struct AccountCapabilities {
    /// `active`, `pending`, `inactive` (absent: never requested).
    pub card_payments: Option<String>,
}

impl ConnectedAccount {
    /// Whether a reader's card payment can be taken on this account now: charges enabled and
    /// the card payments capability active. Anything else — pending, inactive, unknown — is no.
    pub fn takes_card_payments(&self) -> bool {
        takes_card_payments(self.charges_enabled, self.capabilities.as_ref().and_then(|c| c.card_payments.as_deref()))
    }
}

/// The rule of [`ConnectedAccount::takes_card_payments`], for an account read from an API answer
/// or from an `account.updated` event alike.
pub fn takes_card_payments(charges_enabled: Option<bool>, card_payments: Option<&str>) -> bool {
    charges_enabled == Some(true) && card_payments == Some("active")
}

/// A single-use link to Stripe's hosted onboarding (`POST /v1/account_links`).
#[derive(Debug, Clone, miniserde::Deserialize)]
pub struct AccountLink {
    /// Where to send the creator.
    pub url: String,
    /// Unix seconds; after it the link sends the creator to `refresh_url`.
    pub expires_at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_id_is_acct_and_letters_or_digits_only() {
        assert_eq!(ConnectedAccountId::parse("acct_1Nv0FGQ9RKHgCVdK").unwrap().as_str(), "acct_1Nv0FGQ9RKHgCVdK");
        // It goes into a header: nothing that could end one or start another.
        for bad in
            ["", "acct_", "acct_1\r\nX-Evil: 1", "acct_1 2", "pi_123", "ACCT_123", &format!("acct_{}", "a".repeat(65))]
        {
            assert!(ConnectedAccountId::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn an_account_takes_card_payments_only_with_charges_enabled_and_the_capability_active() {
        let account = |charges: Option<bool>, card: Option<&str>| ConnectedAccount {
            id: "acct_1".into(),
            charges_enabled: charges,
            details_submitted: Some(true),
            capabilities: Some(AccountCapabilities { card_payments: card.map(str::to_owned) }),
        };
        assert!(account(Some(true), Some("active")).takes_card_payments());
        for (charges, card) in [
            (Some(true), Some("pending")),
            (Some(true), Some("inactive")),
            (Some(true), None),
            (Some(false), Some("active")),
            (None, Some("active")),
        ] {
            assert!(!account(charges, card).takes_card_payments(), "{charges:?} {card:?}");
        }
    }
}

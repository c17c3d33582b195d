//! The Stripe API client: create, read and list PaymentIntents, list refunds, and the few reads
//! `plog doctor` makes.
//!
//! The secret key lives inside async-stripe's client and is never printed; the base URL is
//! configurable so the sandbox can point it at localstripe (behind the test gateway that teaches
//! it the pinned version). Every form and query here uses only parameters that exist at
//! [`API_VERSION`]; a test checks their names against the official SDK's parameter lists.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ::stripe::{IdempotencyKey, RequestStrategy, StripeError};
use anyhow::Context;
use secrecy::ExposeSecret;
use serde::Serialize;
use sha2::Digest;
use stripe_client_core::{RequestBuilder, StripeMethod};

use super::API_VERSION;
use super::connect::{AccountLink, ConnectedAccount, ConnectedAccountId, CreateAccount, CreateAccountLink};
use crate::config::StripeAccess;
use crate::metrics::Metrics;

/// The fields of a PaymentIntent plog reads.
#[derive(miniserde::Deserialize)]
pub struct PaymentIntent {
    /// `pi_…`.
    pub id: String,
    /// Handed to the browser for `confirmCardPayment`; never logged.
    pub client_secret: Option<String>,
    /// `requires_payment_method`, `requires_action`, `processing`, `succeeded`, `canceled`, …
    pub status: String,
    /// Minor units.
    pub amount: i64,
    /// What Stripe took, minor units (0 until it succeeds; absent from some emulators).
    pub amount_received: Option<i64>,
    /// Lowercase ISO code.
    pub currency: String,
    /// Why the last attempt failed.
    pub last_payment_error: Option<PaymentError>,
    /// Creation time, unix seconds.
    pub created: Option<i64>,
    /// `purchase_id` and `paywall_id` for plog's intents.
    pub metadata: Option<BTreeMap<String, String>>,
}

impl fmt::Debug for PaymentIntent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PaymentIntent")
            .field("id", &self.id)
            .field("status", &self.status)
            .field("amount", &self.amount)
            .field("currency", &self.currency)
            .finish_non_exhaustive()
    }
}

/// Stripe's account of a failed attempt.
#[derive(Debug, miniserde::Deserialize)]
pub struct PaymentError {
    /// Human-readable message, e.g. "Your card was declined."
    pub message: Option<String>,
    /// Machine code, e.g. `card_declined`.
    pub code: Option<String>,
}

/// One page of `GET /v1/payment_intents`.
#[derive(miniserde::Deserialize)]
pub struct PaymentIntentPage {
    /// The intents, newest first.
    pub data: Vec<PaymentIntent>,
    /// More pages follow.
    pub has_more: bool,
}

#[derive(miniserde::Deserialize)]
struct RefundPage {
    data: Vec<Refund>,
}

#[derive(miniserde::Deserialize)]
struct Refund {
    amount: i64,
    status: Option<String>,
}

/// `GET /v1/payment_intents` (PaymentIntentListParams).
#[derive(Serialize)]
pub(crate) struct ListQuery<'a> {
    pub(crate) limit: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) starting_after: Option<&'a str>,
    #[serde(rename = "created[gte]", skip_serializing_if = "Option::is_none")]
    pub(crate) created_gte: Option<i64>,
}

/// `GET /v1/refunds` (RefundListParams).
#[derive(Serialize)]
pub(crate) struct RefundQuery<'a> {
    pub(crate) payment_intent: &'a str,
    pub(crate) limit: u8,
}

/// `GET /v1/webhook_endpoints` (WebhookEndpointListParams).
#[derive(Serialize)]
pub(crate) struct WebhookEndpointQuery {
    pub(crate) limit: u8,
}

/// A webhook endpoint as `GET /v1/webhook_endpoints` lists it.
#[derive(Debug, Clone, miniserde::Deserialize)]
pub struct WebhookEndpoint {
    /// `we_…`.
    pub id: String,
    /// Where Stripe sends events.
    pub url: String,
    /// The event types it receives (`*` for all).
    pub enabled_events: Vec<String>,
    /// The API version its events are rendered in (`None`: the account's default).
    pub api_version: Option<String>,
    /// `enabled` or `disabled`.
    pub status: String,
    /// The platform's Connect application (`ca_…`) on a Connect endpoint (made with
    /// `connect=true`: events of connected accounts); `None` on an endpoint of the account's own.
    pub application: Option<String>,
}

/// `GET /v1/accounts` (AccountListParams): one, to learn whether these keys are a platform's.
#[derive(Serialize)]
pub(crate) struct AccountListQuery {
    pub(crate) limit: u8,
}

#[derive(miniserde::Deserialize)]
struct AccountListPage {
    #[allow(dead_code)] // only its presence is read: the list is answered
    data: Vec<crate::stripe::connect::ConnectedAccount>,
}

#[derive(miniserde::Deserialize)]
struct WebhookEndpointPage {
    data: Vec<WebhookEndpoint>,
}

/// The account the secret key belongs to, as `GET /v1/account` answers.
#[derive(Debug, Clone, miniserde::Deserialize)]
pub struct Account {
    /// `acct_…`.
    pub id: String,
    /// Whether the account may take payments.
    pub charges_enabled: Option<bool>,
}

/// A domain registered for wallets (`PaymentMethodDomain`): Stripe shows Apple Pay, Google Pay
/// and Link only on registered domains, and says per wallet whether it is active there.
#[derive(Debug, Clone, miniserde::Deserialize)]
pub struct PaymentMethodDomain {
    /// `pmd_…`.
    pub id: String,
    /// The host, e.g. `blog.example`.
    pub domain_name: String,
    /// Whether the domain is enabled for payment methods at all.
    pub enabled: bool,
    /// Apple Pay's status on this domain.
    pub apple_pay: WalletOnDomain,
    /// Google Pay's status on this domain.
    pub google_pay: WalletOnDomain,
    /// Link's status on this domain.
    pub link: WalletOnDomain,
}

/// One wallet's status on a registered domain.
#[derive(Debug, Clone, miniserde::Deserialize)]
pub struct WalletOnDomain {
    /// `active`, `inactive` (or a status a later version adds).
    pub status: String,
    /// Why it is inactive, when Stripe says.
    pub status_details: Option<WalletStatusDetails>,
}

/// Stripe's reason for an inactive wallet.
#[derive(Debug, Clone, miniserde::Deserialize)]
pub struct WalletStatusDetails {
    /// E.g. Apple Pay's verification file was not found.
    pub error_message: String,
}

#[derive(miniserde::Deserialize)]
struct PaymentMethodDomainPage {
    data: Vec<PaymentMethodDomain>,
}

/// `POST /v1/payment_method_domains` (PaymentMethodDomainCreateParams).
#[derive(Serialize)]
pub(crate) struct CreatePaymentMethodDomain<'a> {
    pub(crate) domain_name: &'a str,
    pub(crate) enabled: bool,
}

/// `GET /v1/payment_method_domains` (PaymentMethodDomainListParams).
#[derive(Serialize)]
pub(crate) struct PaymentMethodDomainQuery<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) domain_name: Option<&'a str>,
    pub(crate) limit: u8,
}

/// Attempts of one PaymentIntent creation, and the pause before each retry.
const CREATE_BACKOFF: [Duration; 2] = [Duration::from_millis(250), Duration::from_millis(1000)];

/// Worth another try with the same idempotency key: Stripe overloaded (429), failing (5xx),
/// slow (timeout) or unreachable.
fn retryable(error: &StripeError) -> bool {
    match error {
        StripeError::Stripe(_, status) => *status == 429 || *status >= 500,
        StripeError::Timeout | StripeError::ClientError(_) => true,
        StripeError::JSONDeserialize(_) | StripeError::ConfigError(_) => false,
    }
}

/// `POST /v1/payment_intents` (PaymentIntentCreateParams at the pinned version: cards, wallets
/// and Link through `allowed_payment_method_types`, which replaced `payment_method_types` at
/// endive).
#[derive(Serialize)]
pub(crate) struct CreatePaymentIntent<'a> {
    pub(crate) amount: i64,
    pub(crate) currency: &'a str,
    pub(crate) allowed_payment_method_types: [&'a str; 2],
    pub(crate) metadata: BTreeMap<&'a str, &'a str>,
    /// The platform's fee on a direct charge (Connect), minor units.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) application_fee_amount: Option<i64>,
}

/// `POST /v1/refunds` (RefundCreateParams).
#[derive(Serialize)]
pub(crate) struct CreateRefund<'a> {
    pub(crate) payment_intent: &'a str,
    pub(crate) amount: i64,
    pub(crate) metadata: BTreeMap<&'a str, &'a str>,
}

/// A refund Stripe made (`POST /v1/refunds`).
#[derive(Debug, Clone, miniserde::Deserialize)]
pub struct RefundMade {
    /// `re_…`.
    pub id: String,
    /// Minor units.
    pub amount: i64,
    /// `succeeded`, `pending`, `requires_action`, `failed` or `canceled`.
    pub status: Option<String>,
}

/// The metadata and amount of a PaymentIntent to create.
#[derive(Debug, Clone, Copy)]
pub struct NewPaymentIntent<'a> {
    /// Minor units, from the paywall.
    pub amount: i64,
    /// Lowercase ISO code, from the paywall.
    pub currency: &'a str,
    /// The purchase it pays (also the idempotency key).
    pub purchase_id: &'a str,
    /// The paywall bought.
    pub paywall_id: &'a str,
    /// The platform's fee, minor units, on a connected account's intent ([`StripeApi::on_account`]).
    pub application_fee: Option<i64>,
}

/// A Stripe API client.
#[derive(Clone)]
pub struct StripeApi {
    client: ::stripe::Client,
    timeout: Duration,
    /// Where each call's latency and result are counted.
    metrics: Arc<Metrics>,
    /// The connected account every request acts on (`Stripe-Account`); `None`: the key's own.
    account: Option<ConnectedAccountId>,
}

impl fmt::Debug for StripeApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StripeApi").field("timeout", &self.timeout).finish_non_exhaustive()
    }
}

/// What Stripe answered when it refused a request (used by the sandbox to mirror Stripe.js).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StripeRefusal {
    /// HTTP status (0 when Stripe could not be reached).
    pub status: u16,
    /// Stripe's error code, e.g. `card_declined`.
    pub code: Option<String>,
    /// Stripe's message.
    pub message: String,
}

impl From<StripeError> for StripeRefusal {
    fn from(error: StripeError) -> Self {
        match error {
            StripeError::Stripe(api, status) => StripeRefusal {
                status,
                code: api.code.as_ref().map(|c| c.as_str().to_owned()),
                message: api.message.unwrap_or_else(|| "Stripe refused the request".into()),
            },
            other => StripeRefusal { status: 0, code: None, message: other.to_string() },
        }
    }
}

/// What Stripe said, without secrets.
fn describe_ref(error: &StripeError) -> String {
    match error {
        StripeError::Stripe(api, status) => {
            format!("Stripe answered {status}: {}", api.message.as_deref().unwrap_or("no message"))
        }
        other => other.to_string(),
    }
}

/// Turns async-stripe's error into an error that says what Stripe said.
fn describe(error: StripeError) -> anyhow::Error {
    anyhow::anyhow!(describe_ref(&error))
}

impl StripeApi {
    /// A client for the configured account and base URL.
    pub fn new(config: &StripeAccess, metrics: Arc<Metrics>) -> anyhow::Result<StripeApi> {
        // async-stripe sends the version its generated types were made for; plog pins its own
        // and refuses to run on a release that would send another.
        anyhow::ensure!(
            super::transport_version() == API_VERSION,
            "async-stripe sends Stripe-Version {} but plog pins {API_VERSION}: pin a matching release",
            super::transport_version()
        );
        // async-stripe appends `v1/…` to the base verbatim, so the base must end with a slash.
        let base = format!("{}/", config.api_base.trim_end_matches('/'));
        let client = ::stripe::ClientBuilder::new(config.secret_key.expose_secret())
            .url(base)
            .timeout(config.timeout())
            .build()
            .map_err(describe)
            .context("Failed to build the Stripe client")?;
        Ok(StripeApi { client, timeout: config.timeout(), metrics, account: None })
    }

    /// The same client acting on a connected account: every request carries
    /// `Stripe-Account: acct_…` (direct charges, their reads, refunds and lists), and its
    /// idempotency keys are the account's own.
    pub fn on_account(&self, account: &ConnectedAccountId) -> StripeApi {
        StripeApi { account: Some(account.clone()), ..self.clone() }
    }

    /// The connected account this client acts on, if any.
    pub fn acting_on(&self) -> Option<&ConnectedAccountId> {
        self.account.as_ref()
    }

    /// `request` with this client's timeout and, when it acts on a connected account, its header.
    fn customized<T>(&self, request: RequestBuilder) -> stripe_client_core::CustomizableStripeRequest<T> {
        let request = request.customize::<T>().timeout(self.timeout);
        match &self.account {
            Some(account) => request.account_id(stripe_client_core::AccountId::from(account.as_str())),
            None => request,
        }
    }

    /// Creates a PaymentIntent (card, wallets, Link). The purchase id is the idempotency key: a timeout, 429 or
    /// 5xx is retried (twice, with backoff) under the same key, so a retry can never create a
    /// second intent for the same purchase.
    #[tracing::instrument(skip_all, fields(purchase_id = intent.purchase_id))]
    pub async fn create_payment_intent(&self, intent: NewPaymentIntent<'_>) -> anyhow::Result<PaymentIntent> {
        let form = CreatePaymentIntent {
            amount: intent.amount,
            currency: intent.currency,
            allowed_payment_method_types: super::PAYMENT_METHOD_TYPES,
            metadata: BTreeMap::from([("purchase_id", intent.purchase_id), ("paywall_id", intent.paywall_id)]),
            application_fee_amount: intent.application_fee,
        };
        let key = format!("plog-purchase-{}", intent.purchase_id);
        self.post_idempotent("/payment_intents", &form, key, "create_payment_intent")
            .await
            .context("Failed to create a PaymentIntent")
    }

    /// Refunds `amount` (minor units) of a PaymentIntent's charge. `key` is the idempotency key:
    /// the same refund asked twice (a double submit, a retry after a timeout) is made once.
    #[tracing::instrument(skip_all, fields(payment_intent_id = payment_intent_id))]
    pub async fn create_refund(
        &self,
        payment_intent_id: &str,
        amount: i64,
        purchase_id: &str,
        key: String,
    ) -> anyhow::Result<RefundMade> {
        let form = CreateRefund {
            payment_intent: payment_intent_id,
            amount,
            metadata: BTreeMap::from([("purchase_id", purchase_id)]),
        };
        self.post_idempotent("/refunds", &form, key, "create_refund").await.context("Failed to refund")
    }

    /// POSTs `form` under an idempotency key, retrying a timeout, 429 or 5xx (twice, with
    /// backoff) under the same key; counted as `operation`.
    async fn post_idempotent<T: miniserde::Deserialize + Send + 'static, F: Serialize>(
        &self,
        path: &'static str,
        form: &F,
        key: String,
        operation: &'static str,
    ) -> anyhow::Result<T> {
        // Stripe keeps keys per account already; the account in the key says so in every log.
        let key = match &self.account {
            Some(account) => format!("{account}-{key}"),
            None => key,
        };
        let key = IdempotencyKey::new(key).map_err(|e| anyhow::anyhow!("{e}"))?;
        let started = Instant::now();
        let mut attempt = 0;
        loop {
            let sent = self
                .customized::<T>(RequestBuilder::new(StripeMethod::Post, path).form(form))
                .request_strategy(RequestStrategy::Idempotent(key.clone()))
                .send(&self.client)
                .await;
            match sent {
                Ok(answer) => {
                    self.metrics.stripe_call(operation, true, started.elapsed());
                    return Ok(answer);
                }
                Err(error) if retryable(&error) && attempt < CREATE_BACKOFF.len() => {
                    tracing::warn!(attempt, operation, error = %describe_ref(&error), "Stripe did not answer; retrying with the same idempotency key");
                    tokio::time::sleep(CREATE_BACKOFF[attempt]).await;
                    attempt += 1;
                }
                Err(error) => {
                    self.metrics.stripe_call(operation, false, started.elapsed());
                    return Err(describe(error));
                }
            }
        }
    }

    /// One page of PaymentIntents, newest first, created at or after `created_gte`.
    pub async fn payment_intents(
        &self,
        starting_after: Option<&str>,
        created_gte: Option<i64>,
    ) -> anyhow::Result<PaymentIntentPage> {
        let query = ListQuery { limit: 100, starting_after, created_gte };
        self.read(
            RequestBuilder::new(StripeMethod::Get, "/payment_intents").query(&query),
            "list_payment_intents",
            "Failed to list PaymentIntents",
        )
        .await
    }

    /// Sum of the refunds of a PaymentIntent that took money back or are taking it (succeeded,
    /// pending), minor units.
    pub async fn refunded_amount(&self, payment_intent_id: &str) -> anyhow::Result<i64> {
        let query = RefundQuery { payment_intent: payment_intent_id, limit: 100 };
        let page: RefundPage = self
            .read(
                RequestBuilder::new(StripeMethod::Get, "/refunds").query(&query),
                "list_refunds",
                "Failed to list refunds",
            )
            .await?;
        // Pending refunds count too: the money is on its way back (a failed one is not).
        Ok(page
            .data
            .iter()
            .filter(|r| r.status.as_deref().is_none_or(|s| matches!(s, "succeeded" | "pending" | "requires_action")))
            .map(|r| r.amount)
            .sum())
    }

    /// The account the key belongs to (`plog doctor`: does Stripe answer this key?).
    pub async fn account(&self) -> anyhow::Result<Account> {
        self.read(
            RequestBuilder::new(StripeMethod::Get, "/account"),
            "read_account",
            "Failed to read the Stripe account",
        )
        .await
    }

    /// The account's webhook endpoints (`plog doctor`), first 100.
    pub async fn webhook_endpoints(&self) -> anyhow::Result<Vec<WebhookEndpoint>> {
        let request =
            RequestBuilder::new(StripeMethod::Get, "/webhook_endpoints").query(&WebhookEndpointQuery { limit: 100 });
        let page: WebhookEndpointPage =
            self.read(request, "list_webhook_endpoints", "Failed to list webhook endpoints").await?;
        Ok(page.data)
    }

    /// Whether these keys are a Connect platform's: Stripe lists connected accounts only to one
    /// (an account without Connect is refused).
    pub async fn lists_connected_accounts(&self) -> anyhow::Result<()> {
        let request = RequestBuilder::new(StripeMethod::Get, "/accounts").query(&AccountListQuery { limit: 1 });
        let _page: AccountListPage =
            self.read(request, "list_connected_accounts", "Failed to list connected accounts").await?;
        Ok(())
    }

    /// The domains registered for wallets (first 100), or only `domain_name`'s.
    pub async fn payment_method_domains(&self, domain_name: Option<&str>) -> anyhow::Result<Vec<PaymentMethodDomain>> {
        let request = RequestBuilder::new(StripeMethod::Get, "/payment_method_domains")
            .query(&PaymentMethodDomainQuery { domain_name, limit: 100 });
        let page: PaymentMethodDomainPage =
            self.read(request, "list_payment_method_domains", "Failed to list the wallet domains").await?;
        Ok(page.data)
    }

    /// Registers `domain_name` for wallets. Keyed by the domain, so a retry (or another replica)
    /// registers it once.
    #[tracing::instrument(skip_all, fields(domain = domain_name))]
    pub async fn create_payment_method_domain(&self, domain_name: &str) -> anyhow::Result<PaymentMethodDomain> {
        let form = CreatePaymentMethodDomain { domain_name, enabled: true };
        // Stripe's keys hold 255 characters and a domain name up to 253: the name's digest.
        let key = format!("plog-domain-{}", hex::encode(sha2::Sha256::digest(domain_name.as_bytes())));
        self.post_idempotent("/payment_method_domains", &form, key, "create_payment_method_domain")
            .await
            .with_context(|| format!("Failed to register {domain_name} for wallets"))
    }

    /// Sends a form to any Stripe API path and reads the answer into `T` (the sandbox uses it
    /// for calls the purchase flow never makes).
    pub async fn post_form<T: miniserde::Deserialize, F: Serialize>(
        &self,
        path: &str,
        form: &F,
    ) -> Result<T, StripeRefusal> {
        self.customized::<T>(RequestBuilder::new(StripeMethod::Post, path).form(form))
            .send(&self.client)
            .await
            .map_err(StripeRefusal::from)
    }

    /// Reads a PaymentIntent.
    #[tracing::instrument(skip_all, fields(payment_intent_id = id))]
    pub async fn payment_intent(&self, id: &str) -> anyhow::Result<PaymentIntent> {
        anyhow::ensure!(
            id.starts_with("pi_") && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'),
            "not a PaymentIntent id"
        );
        self.read(
            RequestBuilder::new(StripeMethod::Get, format!("/payment_intents/{id}")),
            "read_payment_intent",
            "Failed to read a PaymentIntent",
        )
        .await
    }

    /// Sends a read (no idempotency key needed) with the client's timeout and reads the answer
    /// into plog's own small type; an error says what Stripe said, under `failed_to`. Counted
    /// as `operation` in the metrics.
    async fn read<T: miniserde::Deserialize + Send + 'static>(
        &self,
        request: RequestBuilder,
        operation: &'static str,
        failed_to: &'static str,
    ) -> anyhow::Result<T> {
        let started = Instant::now();
        let read = self.customized::<T>(request).send(&self.client).await;
        self.metrics.stripe_call(operation, read.is_ok(), started.elapsed());
        read.map_err(describe).context(failed_to)
    }
}

impl StripeApi {
    // --- Stripe Connect (the forms and types: stripe/connect.rs) ---------------------------

    /// Creates `creator`'s connected account (see the module for its properties). Keyed by the
    /// creator and their address: asked twice (a double press, a retry), one account is made;
    /// another plog on the same platform account (a staging copy), whose creator of the same id
    /// is someone else, does not get this one's account back.
    #[tracing::instrument(skip_all, fields(creator = creator))]
    pub async fn create_connected_account(
        &self,
        creator: &str,
        email: Option<&str>,
    ) -> anyhow::Result<ConnectedAccount> {
        let form = CreateAccount::for_creator(creator, email);
        let whose = &crate::tokens::token_hash(email.unwrap_or_default())[..16];
        self.post_idempotent("/accounts", &form, format!("plog-account-{creator}-{whose}"), "create_connected_account")
            .await
            .context("Failed to create a connected account")
    }

    /// A fresh onboarding link for `account`. `refresh_url` is where Stripe sends a used or
    /// expired link (it should make a new one); `return_url` where it sends a finished one.
    pub async fn create_account_link(
        &self,
        account: &ConnectedAccountId,
        refresh_url: &str,
        return_url: &str,
    ) -> anyhow::Result<AccountLink> {
        let form = CreateAccountLink { account: account.as_str(), refresh_url, return_url, kind: "account_onboarding" };
        // A retry after a timeout must not mint a second link: one key per call.
        let key = format!("plog-account-link-{account}-{:016x}", rand::random::<u64>());
        self.post_idempotent("/account_links", &form, key, "create_account_link")
            .await
            .context("Failed to create an account link")
    }

    /// Reads a connected account (on return from onboarding, and by `plog doctor`).
    pub async fn connected_account(&self, account: &ConnectedAccountId) -> anyhow::Result<ConnectedAccount> {
        self.read(
            RequestBuilder::new(StripeMethod::Get, format!("/accounts/{account}")),
            "read_connected_account",
            "Failed to read a connected account",
        )
        .await
    }
}

/// The top-level parameter names a form or query sends (`created[gte]` → `created`).
fn parameter_names<T: Serialize>(form: &T) -> Vec<String> {
    let value = serde_json::to_value(form).expect("a form serializes");
    let mut names: Vec<String> = value
        .as_object()
        .map(|o| o.keys().map(|k| k.split('[').next().unwrap_or(k).to_owned()).collect())
        .unwrap_or_default();
    names.dedup();
    names
}

/// Every form and query plog sends to Stripe, by the official SDK's name of its parameter type,
/// with the top-level parameter names it carries. The integration suite holds them against
/// Stripe's Python SDK (api/tests/api/stripe_artifacts.rs): a field added here that Stripe does
/// not accept at the pinned version fails there.
pub fn parameters_sent() -> Vec<(&'static str, Vec<String>)> {
    let create = sample_intent();
    let refund =
        CreateRefund { payment_intent: "pi_1", amount: 50, metadata: BTreeMap::from([("purchase_id", "pur_1")]) };
    vec![
        ("PaymentIntentCreateParams", parameter_names(&create)),
        ("RefundCreateParams", parameter_names(&refund)),
        (
            "PaymentIntentListParams",
            parameter_names(&ListQuery { limit: 100, starting_after: Some("pi_1"), created_gte: Some(1) }),
        ),
        ("RefundListParams", parameter_names(&RefundQuery { payment_intent: "pi_1", limit: 100 })),
        ("WebhookEndpointListParams", parameter_names(&WebhookEndpointQuery { limit: 100 })),
        ("AccountListParams", parameter_names(&AccountListQuery { limit: 1 })),
        (
            "PaymentMethodDomainCreateParams",
            parameter_names(&CreatePaymentMethodDomain { domain_name: "blog.example", enabled: true }),
        ),
        (
            "PaymentMethodDomainListParams",
            parameter_names(&PaymentMethodDomainQuery { domain_name: Some("blog.example"), limit: 100 }),
        ),
        ("AccountCreateParams", parameter_names(&CreateAccount::for_creator("cr_1", Some("a@b.example")))),
        ("AccountLinkCreateParams", parameter_names(&account_link())),
    ]
}

fn account_link() -> CreateAccountLink<'static> {
    CreateAccountLink {
        account: "acct_1",
        refresh_url: "https://p.example/r",
        return_url: "https://p.example/d",
        kind: "account_onboarding",
    }
}

/// The nested forms plog sends, each as the exact `name=value` pairs the client encodes
/// (`controller[fees][payer]=account`), by the official SDK's name of its parameter type: the
/// integration suite walks each name to the leaf of Stripe's Python parameter types
/// (sandbox/stripe_params.py).
pub fn nested_forms_sent() -> Vec<(&'static str, Vec<(String, String)>)> {
    vec![
        ("PaymentIntentCreateParams", encoded_pairs(&sample_intent())),
        ("AccountCreateParams", encoded_pairs(&CreateAccount::for_creator("cr_1", Some("a@b.example")))),
        ("AccountLinkCreateParams", encoded_pairs(&account_link())),
    ]
}

/// A PaymentIntent form as plog sends one, fee included (for the checks above).
fn sample_intent() -> CreatePaymentIntent<'static> {
    CreatePaymentIntent {
        amount: 100,
        currency: "jpy",
        allowed_payment_method_types: super::PAYMENT_METHOD_TYPES,
        metadata: BTreeMap::from([("purchase_id", "pur_1"), ("paywall_id", "pw_1")]),
        application_fee_amount: Some(10),
    }
}

/// `form` as the client encodes it (the request builder's own encoder), as `name=value` pairs.
fn encoded_pairs<F: Serialize>(form: &F) -> Vec<(String, String)> {
    let body = RequestBuilder::new(StripeMethod::Post, "/").form(form).body.expect("a form has a body");
    url::form_urlencoded::parse(body.as_bytes()).into_owned().collect()
}

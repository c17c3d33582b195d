//! The purchase flow, apart from the view:
//! loading → locked → (Buy) preparing → paying → confirming → declined ⟲ | unlocking → unlocked,
//! with unavailable when the API is down or the paywall is missing.
//!
//! A [`Flow`] is what the view's buttons call. Every step reads the API through the setup's
//! client, whose requests stop when the widget is unmounted ([`Flow::release_all`] runs in
//! `on_cleanup`); a step that finds the widget gone returns without touching its state.
//!
//! A reader who paid always reads: the purchase started at Buy (its token and client secret) is
//! kept in memory until the paid part shows, and it — not whatever the storage holds by then —
//! is what the receipt and the unlock use. Storage refused, or another tab that started its own
//! purchase meanwhile, changes nothing for this one.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use leptos::prelude::*;
use plog_shared::ErrorCode;
use plog_shared::api::{
    GiftOpened, PaywallMode, PaywallStatus, PurchaseRequest, ReaderAmount, ReceiptRequest, RestoreRequest,
};
use wasm_bindgen::prelude::*;

use leptos::task::spawn_local;

use super::state::{Keep, PaywallSetup, PaywallState, Phase, RestoreStep};
use crate::api::{ApiError, ContentAnswer};
use crate::restored;
use crate::storage;
use crate::stripe_js::{self, CardElement, Confirmation};
use crate::theme;

/// Delays between content polls after a payment (the API settles a late webhook itself, so the
/// first or second try usually succeeds).
const UNLOCK_BACKOFF_MS: [u32; 8] = [0, 250, 500, 750, 1_000, 1_500, 2_000, 3_000];

/// One paywall's purchase flow: its state, its setup, and the chunks of code its presses call.
#[derive(Clone)]
pub struct Flow {
    /// The reactive values the view shows.
    pub state: PaywallState,
    /// What the mount code handed over.
    pub setup: Rc<PaywallSetup>,
    /// The entry points of the widget's chunks (`src/chunks.rs`, which uses this module: the
    /// mount code hands them over, so nothing here names that file).
    pub chunks: ChunkCalls,
}

/// A chunk of the widget's code could not be fetched (offline, blocked, a build replaced
/// meanwhile).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkUnavailable;

/// A call into a chunk: it fetches the chunk (once) and runs what was asked of it.
pub type ChunkCall = Pin<Box<dyn Future<Output = Result<(), ChunkUnavailable>>>>;

/// What the restore chunk is asked to do.
pub enum RestoreTask {
    /// "Already bought?" was pressed: the address form opens.
    Open,
    /// The mail's link brought a code: (restore id, code).
    RedeemLink(String, String),
}

/// Where the reader shows intent (a pointer over, or focus in, a part of the paywall): the chunk
/// its press will need. Restore and codes have their own parts; anything else leads to Buy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    /// The restore link or form.
    Restore,
    /// The code link or field.
    Code,
    /// Anything else: Buy, a pass, an amount.
    Buy,
}

impl Intent {
    /// The intent an event's target shows, by the part it is in.
    pub fn of(target: &web_sys::Element) -> Intent {
        let within = |selector: &str| target.closest(selector).ok().flatten().is_some();
        if within(".restore") {
            Intent::Restore
        } else if within(".code") {
            Intent::Code
        } else {
            Intent::Buy
        }
    }
}

/// The chunks' entry points (`src/chunks.rs` has them and says what each chunk holds).
#[derive(Clone, Copy)]
pub struct ChunkCalls {
    /// Fetches the card form's chunk without running anything in it.
    pub preload_checkout: fn() -> ChunkCall,
    /// Renders and opens the card form (Stripe.js and the purchase are there), with the Buy
    /// button's height for the wallet buttons.
    pub open_card_form: fn(Flow, Option<f64>) -> ChunkCall,
    /// Restore's forms and the mail's link.
    pub restore: fn(Flow, RestoreTask) -> ChunkCall,
    /// "Have a code?": the code field.
    pub open_code_form: fn(Flow) -> ChunkCall,
    /// Fetches the chunk an intent leads to, in the background.
    pub prefetch: fn(Intent),
}

/// What to do when Stripe says the PaymentIntent cannot be confirmed in its current state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// The intent took the money: show the content.
    Unlock,
    /// The intent took nothing and never will: a new purchase may be started.
    FreshPurchase,
    /// Unknown or still confirmable elsewhere (3-D Secure pending): say so, start nothing.
    Stop,
}

/// Reads `error.payment_intent.status` of a `payment_intent_unexpected_state`.
pub fn after_unexpected_state(intent_status: Option<&str>) -> Retry {
    match intent_status {
        Some(status) if stripe_js::took_payment(status) => Retry::Unlock,
        Some("canceled" | "requires_payment_method") => Retry::FreshPurchase,
        _ => Retry::Stop,
    }
}

impl Flow {
    /// The widget was unmounted: nothing more to do or show.
    fn gone(&self) -> bool {
        self.setup.api.is_aborted()
    }

    /// First load: a gift link in the address is opened, else the tokens held are tried — this
    /// paywall's, then the passes' (a pass opens paywalls it was not bought on) — so a returning
    /// reader sees the content with one request and no payment UI; then the paywall is read.
    pub async fn start(self) {
        let (api, id, state, texts) = (&self.setup.api, &self.setup.paywall_id, self.state, self.setup.texts);
        let mut notice = None;
        if let Some(code) = restored::gift_code() {
            match self.try_gift(&code).await {
                Gift::Opened | Gift::Gone => return,
                Gift::Refused(why) => notice = Some(why),
                Gift::NotHere => {}
            }
        }
        let own = storage::tokens(api.origin(), id);
        let passes: Vec<String> = storage::pass_tokens(api.origin()).into_iter().filter(|t| !own.contains(t)).collect();
        for token in own.iter().chain(&passes) {
            let is_own = own.contains(token);
            match api.content(id, token).await {
                Ok(ContentAnswer::Paid(html)) => {
                    if is_own {
                        storage::settle_token(api.origin(), id, token);
                    }
                    return self.unlocked(html);
                }
                Ok(ContentAnswer::PassEnded) => {
                    storage::forget_pass_token(api.origin(), token);
                    storage::forget_token(api.origin(), id, token);
                    notice = Some(texts.pass_ended);
                }
                // Refused for good (refunded, canceled, disputed): it will never open anything.
                Ok(ContentAnswer::Ended) => {
                    storage::forget_pass_token(api.origin(), token);
                    storage::forget_token(api.origin(), id, token);
                }
                // Not paid *yet* (another tab's purchase, a late webhook), or a pass's token that
                // is not for this paywall but opens others: kept.
                Ok(ContentAnswer::NotPaid) => {}
                Err(ApiError::Aborted) => return,
                Err(ApiError::NotFound) => return state.phase.set(Phase::Unavailable { archived: false }),
                _ => {}
            }
        }
        match api.paywall(id).await {
            Ok(info) => {
                if info.status != PaywallStatus::Archived {
                    api.count_view(id);
                }
                state.show_locked(info, notice);
            }
            Err(ApiError::Aborted) => {}
            Err(_) => state.phase.set(Phase::Unavailable { archived: false }),
        }
    }

    /// A gift link in the address, on a paywall the server painted locked: opened, or its
    /// refusal shown on the paywall.
    pub async fn open_gift(&self, code: String) {
        if let Gift::Refused(why) = self.try_gift(&code).await {
            self.state.notice.set(Some(why.to_owned()));
        }
    }

    async fn try_gift(&self, code: &str) -> Gift {
        let (api, id) = (&self.setup.api, &self.setup.paywall_id);
        match api.open_gift(id, code).await {
            Ok(GiftOpened { access_token: token, html }) => {
                restored::gift_taken();
                storage::settle_token(api.origin(), id, &token);
                self.unlocked(html);
                Gift::Opened
            }
            Err(ApiError::Aborted) => Gift::Gone,
            // Revoked, expired or used up: the link is this paywall's, and it says why.
            Err(ApiError::Refused {
                code: code @ (ErrorCode::GiftRevoked | ErrorCode::GiftExpired | ErrorCode::GiftUsedUp),
                ..
            }) => {
                restored::gift_taken();
                Gift::Refused(gift_refusal(code, self.setup.texts))
            }
            // Not this paywall's link (another paywall of the page may take it).
            Err(_) => Gift::NotHere,
        }
    }

    /// "Have a code?": asks the server what the code makes of the prices; the price line, the
    /// passes and the Pay button then show them. A refused code says why in the reader's language.
    pub async fn apply_code(self) {
        let (api, id, state, texts) = (&self.setup.api, &self.setup.paywall_id, self.state, self.setup.texts);
        let typed = state.code_typed.get_untracked();
        if typed.trim().is_empty() {
            return;
        }
        let quoted = api.discount(id, typed.trim()).await;
        if self.gone() {
            return;
        }
        match quoted {
            Ok(quote) => {
                state.code_message.set(Some(texts.code_applied.replace("{code}", &quote.code)));
                state.discount.set(Some(quote));
            }
            Err(error) => {
                state.discount.set(None);
                let message = match &error {
                    ApiError::Refused { code, .. } => match code {
                        ErrorCode::DiscountExpired => texts.code_expired,
                        ErrorCode::DiscountUsedUp => texts.code_used_up,
                        ErrorCode::DiscountNotApplicable => texts.code_not_here,
                        ErrorCode::RateLimited => texts.code_wait,
                        _ => texts.code_unknown,
                    },
                    _ => texts.unavailable,
                };
                state.code_message.set(Some(message.to_owned()));
            }
        }
    }

    /// Buy (the article, or a pass it offers): load Stripe.js (only now), mount the card Element
    /// in the light DOM, start a purchase.
    pub async fn buy(self, pass_id: Option<String>) {
        let state = self.state;
        if state.phase.get_untracked() != Phase::Locked {
            return;
        }
        let Some(info) = state.info.get_untracked() else { return };
        let texts = self.setup.texts;
        let buying_pass = pass_id.is_some();
        state.buying_pass.set(pass_id);
        // An amount the server would refuse is refused here, before Stripe.js or a purchase.
        if !buying_pass
            && info.mode.reader_chooses()
            && (state.chosen.get_untracked().is_none() || state.amount_error.with_untracked(Option::is_some))
        {
            if state.amount_error.with_untracked(Option::is_none) {
                state.amount_error.set(Some(texts.amount_missing.to_owned()));
            }
            return;
        }
        state.notice.set(None);
        state.storage_refused.set(!storage::available());
        // The wallet buttons take the Buy button's height (measured while it still shows).
        let button_height = state.themed.get_untracked().and_then(|el| theme::buy_button_height(&el));
        state.phase.set(Phase::Preparing);
        // Stripe.js, the purchase and the card form's code at once: none needs another until
        // the card form opens, and the reader waits for the slowest only (a Stripe.js or a chunk
        // that cannot be loaded leaves the purchase pending, as a card form closed unpaid does).
        let (loaded, created, fetched) = futures_util::future::join3(
            stripe_js::load(&info.stripe.js_url),
            self.new_purchase(),
            (self.chunks.preload_checkout)(),
        )
        .await;
        if self.gone() || !created {
            return;
        }
        if let Err(error) = loaded {
            return self.not_prepared(&error.0);
        }
        if fetched.is_err() {
            return self.not_prepared("the card form could not be loaded");
        }
        if (self.chunks.open_card_form)(self.clone(), button_height).await.is_err() {
            self.not_prepared("the card form could not be loaded");
        }
    }

    /// Stripe.js and the purchase are there, and the card form rendered (its chunk did, at the
    /// first Buy): the card Element mounts in the light DOM, the wallet buttons above it if the
    /// device offers one, and the card form shows.
    pub async fn open_card_form(self, button_height: Option<f64>) {
        let (state, texts) = (self.state, self.setup.texts);
        let Some(info) = state.info.get_untracked() else { return };
        let prepared = (|| {
            let stripe = stripe_js::stripe(&info.stripe.publishable_key, texts.locale, info.stripe.account.as_deref())?;
            let options = state.themed.get_untracked().map(|el| theme::card_options(&el)).unwrap_or(JsValue::NULL);
            let card = stripe_js::create_card(&stripe, &options)?;
            let slot = self.setup.card_slot.as_ref().ok_or_else(|| stripe_js::StripeJsError("no card slot".into()))?;
            card.mount(slot)?;
            let card_error = state.card_error;
            let on_change = card.on_change(move |message, _complete| card_error.set(message));
            state.card_form.update_value(|form| {
                form.stripe = Some(stripe.clone());
                form.card = Some(card);
                form.on_change = Some(on_change);
            });
            // The wallets are an extra: if they cannot be offered, the card form is all there is.
            if let Err(error) = self.offer_wallets(&stripe, button_height) {
                warn(&error.0);
            }
            Ok::<(), stripe_js::StripeJsError>(())
        })();
        if let Err(error) = prepared {
            return self.not_prepared(&error.0);
        }
        state.phase.set(Phase::Paying);
        // The card form becomes visible on the next render; focus it then, so a keyboard user
        // continues typing where the Buy button was.
        gloo_timers::future::TimeoutFuture::new(0).await;
        if !self.gone() {
            state.card_form.with_value(|form| form.card.as_ref().map(CardElement::focus));
        }
    }

    /// The card form could not be opened (Stripe.js did not load or refused): back to the
    /// locked paywall, which says it is not available; the next press tries again.
    fn not_prepared(&self, why: &str) {
        self.release();
        self.say_unavailable(why);
        self.state.phase.set(Phase::Locked);
    }

    /// The locked paywall says it is not available (as the loader does when the widget itself
    /// cannot be fetched); `why` goes to the console.
    fn say_unavailable(&self, why: &str) {
        warn(why);
        self.state.notice.set(Some(self.setup.texts.unavailable.to_owned()));
    }

    /// A press on the restore link, or the mail's link (the restore chunk).
    pub async fn restore_step(self, task: RestoreTask) {
        let fetched = (self.chunks.restore)(self.clone(), task).await;
        self.part_fetched(fetched);
    }

    /// "Have a code?" pressed (the codes chunk).
    pub async fn code_step(self) {
        let fetched = (self.chunks.open_code_form)(self.clone()).await;
        self.part_fetched(fetched);
    }

    /// A part's chunk came (an earlier failure's notice goes) or did not (the notice says so).
    fn part_fetched(&self, fetched: Result<(), ChunkUnavailable>) {
        let unavailable = self.setup.texts.unavailable;
        match fetched {
            Ok(()) if self.state.notice.with_untracked(|n| n.as_deref() == Some(unavailable)) => {
                self.state.notice.set(None)
            }
            Ok(()) => {}
            // The part opens nothing; the next press fetches its chunk again.
            Err(ChunkUnavailable) => self.say_unavailable("a part of the paywall could not be loaded"),
        }
    }

    /// The wallet buttons above the card form: an Elements group priced as the Pay button says
    /// (the reader's amount, the code's price, the pass's), the Express Checkout Element in the
    /// light-DOM wallet slot, shown only once its `ready` event says the device offers a wallet.
    fn offer_wallets(
        &self,
        stripe: &stripe_js::StripeInstance,
        height: Option<f64>,
    ) -> Result<(), stripe_js::StripeJsError> {
        let state = self.state;
        let (Some(slot), Some(amount)) = (self.setup.wallet_slot.as_ref(), untrack(|| state.charge())) else {
            return Ok(());
        };
        let Some(currency) = state.info.with_untracked(|i| i.as_ref().map(|i| i.price.currency.clone())) else {
            return Ok(());
        };
        let elements = stripe_js::wallet_elements(stripe, amount, &currency, &plog_shared::PAYMENT_METHOD_TYPES)?;
        let receipts = state.info.with_untracked(|i| i.as_ref().is_some_and(|i| i.receipts));
        let options = state.themed.get_untracked().map(|el| theme::wallet_options(&el, height, receipts));
        let buttons = elements.create_buttons(&options.unwrap_or(JsValue::NULL))?;
        let wallets = state.wallets;
        let ready = buttons.on_ready(move |offered| wallets.set(offered));
        let flow = self.clone();
        let confirm = buttons.on_confirm(move |event| spawn_local(flow.clone().pay_with_wallet(event)));
        buttons.mount(slot)?;
        state.card_form.update_value(|form| {
            form.wallet_elements = Some((elements, amount));
            form.wallet = Some(buttons);
            form.wallet_listeners = vec![ready, confirm];
        });
        Ok(())
    }

    /// The reader approved a wallet's sheet: the purchase started at Buy is paid with it, if the
    /// server priced it as the sheet showed; the same rules as the card's keep it to one charge.
    pub async fn pay_with_wallet(self, event: stripe_js::WalletConfirm) {
        let (state, texts) = (self.state, self.setup.texts);
        // One payment at a time: a second press while the first confirms is refused, and never
        // confirms the intent again.
        if !matches!(state.phase.get_untracked(), Phase::Paying | Phase::Declined(_))
            || state.wallet_paying.get_untracked()
        {
            return event.fail(texts.payment_failed);
        }
        state.wallet_paying.set(true);
        state.phase.set(Phase::Confirming);
        state.card_error.set(None);
        // The wallet's address goes in the receipt field, if the reader typed none; it is sent
        // only if the reader leaves it there once paid. An address the reader typed is theirs
        // to ask for, before the payment, as with a card.
        let offered_address =
            event.email().filter(|_| state.receipt_email.with_untracked(|typed| typed.trim().is_empty()));
        match &offered_address {
            Some(address) => {
                state.email_error.set(None);
                state.receipt_email.set(address.clone());
            }
            None => self.ask_receipt().await,
        }
        if self.gone() {
            return;
        }
        let failed = |message: String| {
            event.fail(&message);
            state.wallet_paying.set(false);
            state.phase.set(Phase::Declined(message));
        };
        let (stripe, group, secret, price) = state
            .card_form
            .with_value(|f| (f.stripe.clone(), f.wallet_elements.clone(), f.client_secret.clone(), f.price.clone()));
        let (Some(stripe), Some((elements, sheet_amount)), Some(secret), Some(price)) = (stripe, group, secret, price)
        else {
            return failed(texts.payment_failed.to_owned());
        };
        if let Err(error) = elements.submit().await {
            return failed(error.0);
        }
        // Never charge an amount the reader did not see.
        if price.amount != sheet_amount {
            return failed(texts.wallet_amount_changed.to_owned());
        }
        let confirmed = stripe_js::confirm_payment(&stripe, &elements, &secret, &restored::page_url()).await;
        if self.gone() {
            return;
        }
        match confirmed {
            Ok(Confirmation::Succeeded) => {}
            // Paid already (an earlier answer was lost): unlock, never charge again.
            Ok(Confirmation::Failed { code, intent_status, .. })
                if code.as_deref() == Some("payment_intent_unexpected_state")
                    && after_unexpected_state(intent_status.as_deref()) == Retry::Unlock => {}
            Ok(Confirmation::Failed { message, .. }) => {
                return failed(message.unwrap_or_else(|| texts.payment_failed.to_owned()));
            }
            Err(error) => {
                warn(&error.0);
                return failed(texts.payment_failed.to_owned());
            }
        }
        let offer = offered_address.is_some() && state.info.with_untracked(|i| i.as_ref().is_some_and(|i| i.receipts));
        self.unlock_after_payment_keeping(if offer { Keep::Paywall } else { Keep::Nothing }).await;
    }

    /// The receipt offered after a wallet payment: sent to the address in the field (if the
    /// reader left one), then the paywall leaves the page.
    pub async fn send_offered_receipt(self) {
        if self.state.email_error.with_untracked(Option::is_some) {
            return;
        }
        self.state.wallet_paying.set(true);
        self.ask_receipt().await;
        self.close_offer();
    }

    /// The offered receipt declined: the paywall leaves the page, nothing is sent.
    pub fn close_offer(&self) {
        (self.setup.close)();
    }

    /// Creates a purchase and keeps it: its token in storage (if there is any) and, with its
    /// client secret, in memory for the payment; on failure shows why and returns false.
    async fn new_purchase(&self) -> bool {
        let (api, id, state, texts) = (&self.setup.api, &self.setup.paywall_id, self.state, self.setup.texts);
        let pass_id = state.buying_pass.get_untracked();
        let amount = state
            .info
            .with_untracked(|i| i.as_ref().is_some_and(|i| i.mode.reader_chooses() && pass_id.is_none()))
            .then(|| state.chosen.get_untracked())
            .flatten();
        // The code goes only with what it lowers (the server prices it again).
        let discount_code = state.discount.with_untracked(|d| {
            d.as_ref()
                .filter(|d| match &pass_id {
                    Some(pass) => d.passes.iter().any(|p| p.pass_id == *pass),
                    None => d.amount.is_some(),
                })
                .map(|d| d.code.clone())
        });
        let ask = PurchaseRequest {
            amount: amount.map(ReaderAmount::Whole),
            pass_id: pass_id.clone(),
            discount_code,
            ..PurchaseRequest::default()
        };
        match api.start_purchase(id, &ask).await {
            Ok(created) => {
                // Beside any other token held (another tab's purchase may be the one paid).
                storage::keep_token(api.origin(), id, &created.access_token);
                if pass_id.is_some() {
                    storage::save_pass_token(api.origin(), &created.access_token);
                }
                state.card_form.update_value(|form| {
                    form.client_secret = Some(created.client_secret);
                    form.access_token = Some(created.access_token);
                    form.price = Some(created.price);
                });
                true
            }
            Err(ApiError::Aborted) => false,
            Err(ApiError::Refused { code: ErrorCode::PaywallArchived, .. }) => {
                self.release();
                state.phase.set(Phase::Unavailable { archived: true });
                false
            }
            Err(_) => {
                self.release();
                state.notice.set(Some(texts.unavailable.to_owned()));
                state.phase.set(Phase::Locked);
                false
            }
        }
    }

    /// Pay: confirm the card payment; a decline keeps the form for a retry on the same purchase.
    pub async fn pay(self) {
        let (state, texts) = (self.state, self.setup.texts);
        if !matches!(state.phase.get_untracked(), Phase::Paying | Phase::Declined(_)) {
            return;
        }
        if state.email_error.with_untracked(Option::is_some) {
            return;
        }
        state.phase.set(Phase::Confirming);
        state.card_error.set(None);
        self.ask_receipt().await;
        if self.gone() {
            return;
        }
        let declined = |message: Option<String>| {
            state.phase.set(Phase::Declined(message.unwrap_or_else(|| texts.payment_failed.to_owned())))
        };
        for attempt in 0..2 {
            let (stripe, card, secret) =
                state.card_form.with_value(|f| (f.stripe.clone(), f.card.clone(), f.client_secret.clone()));
            let (Some(stripe), Some(card), Some(secret)) = (stripe, card, secret) else { return };
            let confirmed = stripe_js::confirm_card_payment(&stripe, &secret, &card).await;
            if self.gone() {
                return;
            }
            match confirmed {
                Ok(Confirmation::Succeeded) => return self.unlock_after_payment().await,
                Ok(Confirmation::Failed { code, intent_status, message })
                    if code.as_deref() == Some("payment_intent_unexpected_state") =>
                {
                    match after_unexpected_state(intent_status.as_deref()) {
                        // Paid already (a first confirm went through but its answer was lost):
                        // unlock, never charge again.
                        Retry::Unlock => return self.unlock_after_payment().await,
                        // This intent can no longer be confirmed and took no money (canceled,
                        // or an emulator that cannot confirm again after a decline): one fresh
                        // purchase, within the same press of Pay.
                        Retry::FreshPurchase if attempt == 0 => {
                            if !self.new_purchase().await {
                                return;
                            }
                        }
                        Retry::FreshPurchase | Retry::Stop => return declined(message),
                    }
                }
                Ok(Confirmation::Failed { message, .. }) => return declined(message),
                // Stripe.js threw (an IntegrationError) or failed: the reader can try again.
                Err(error) => {
                    warn(&error.0);
                    return declined(None);
                }
            }
        }
    }

    /// The address typed for a receipt goes to the API with the purchase's token before the card
    /// is confirmed (the purchase exists since Buy). A failure costs the reader no payment: the
    /// receipt is optional, so it is logged and the payment goes on.
    async fn ask_receipt(&self) {
        let email = self.state.receipt_email.get_untracked();
        let offered = self.state.info.with_untracked(|i| i.as_ref().is_some_and(|i| i.receipts));
        let (api, id) = (&self.setup.api, &self.setup.paywall_id);
        // The purchase being paid, never one another tab started.
        let Some(token) = self.state.card_form.with_value(|form| form.access_token.clone()) else { return };
        if !offered || email.trim().is_empty() {
            return;
        }
        let ask = ReceiptRequest {
            email: email.trim().to_owned(),
            page: Some(restored::page_url()),
            language: Some(self.setup.texts.locale.to_owned()),
        };
        if api.ask_receipt(id, &token, &ask).await.is_err() {
            warn("the receipt was not asked for");
        }
    }

    /// The receipt address changed: checked as it is typed (empty is fine: it is optional).
    pub fn type_email(&self, text: String) {
        let valid = text.trim().is_empty() || restored::looks_like_address(&text);
        self.state.email_error.set((!valid).then(|| self.setup.texts.email_invalid.to_owned()));
        self.state.receipt_email.set(text);
    }

    /// "Already bought?": the restore form opens on the address step.
    pub fn open_restore(&self) {
        self.state.restore_message.set(None);
        self.state.restore.set(RestoreStep::Email);
    }

    /// Asks for a code for the typed address; the form then asks for the code, whatever the
    /// address (the API answers alike for all).
    pub async fn request_code(self) {
        let (state, texts) = (self.state, self.setup.texts);
        let email = state.restore_email.get_untracked();
        if !restored::looks_like_address(&email) {
            return state.restore_message.set(Some(texts.email_invalid.to_owned()));
        }
        state.restore_busy.set(true);
        let ask = RestoreRequest {
            email: email.trim().to_owned(),
            page: restored::page_url(),
            language: Some(texts.locale.to_owned()),
        };
        let asked = self.setup.api.restore_start(&ask).await;
        if self.gone() {
            return;
        }
        state.restore_busy.set(false);
        match asked {
            Ok(started) => {
                let restore_id = started.restore_id;
                state.restore_code.set(String::new());
                state.restore_message.set(Some(texts.restore_sent.to_owned()));
                state.restore.set(RestoreStep::Code { restore_id });
            }
            Err(ApiError::Refused { code: ErrorCode::InvalidEmail, .. }) => {
                state.restore_message.set(Some(texts.email_invalid.to_owned()))
            }
            Err(_) => state.restore_message.set(Some(texts.restore_unavailable.to_owned())),
        }
    }

    /// Exchanges the typed code.
    pub async fn redeem_code(self) {
        let RestoreStep::Code { restore_id } = self.state.restore.get_untracked() else { return };
        let code: String = self.state.restore_code.get_untracked().chars().filter(char::is_ascii_digit).collect();
        self.redeem(restore_id, code).await;
    }

    /// Exchanges a code for tokens: they are kept, and every paywall of the page tries again.
    pub async fn redeem(&self, restore_id: String, code: String) {
        let (state, texts, api) = (self.state, self.setup.texts, &self.setup.api);
        state.restore_busy.set(true);
        let redeemed = api.restore_redeem(&restore_id, &code).await;
        if self.gone() {
            return;
        }
        state.restore_busy.set(false);
        match redeemed {
            Ok(access) => {
                for restored in &access.tokens {
                    storage::keep_token(api.origin(), &restored.paywall_id, &restored.access_token);
                    if restored.pass_id.is_some() {
                        storage::save_pass_token(api.origin(), &restored.access_token);
                    }
                }
                // A pass restored may open this paywall too: every paywall tries again.
                let here = access.tokens.iter().any(|t| t.paywall_id == self.setup.paywall_id || t.pass_id.is_some());
                state.restore_message.set((!here).then(|| texts.restore_nothing.to_owned()));
                restored::announce();
            }
            Err(ApiError::Refused { code: ErrorCode::InvalidCode, .. }) => {
                state.restore.set(RestoreStep::Email);
                state.restore_message.set(Some(texts.restore_refused.to_owned()));
            }
            Err(_) => state.restore_message.set(Some(texts.restore_unavailable.to_owned())),
        }
    }

    /// Another paywall of the page (or this one) restored tokens: a locked paywall tries its
    /// held token again.
    pub async fn try_held_token(self) {
        // A paywall still loading when the page's restore link was redeemed finishes first.
        for _ in 0..200 {
            if self.gone() || self.state.phase.get_untracked() != Phase::Loading {
                break;
            }
            gloo_timers::future::TimeoutFuture::new(50).await;
        }
        if self.gone() || self.state.phase.get_untracked() != Phase::Locked {
            return;
        }
        let (api, id) = (&self.setup.api, &self.setup.paywall_id);
        let own = storage::tokens(api.origin(), id);
        let passes = storage::pass_tokens(api.origin());
        for token in own.iter().chain(passes.iter().filter(|t| !own.contains(t))) {
            if let Ok(ContentAnswer::Paid(html)) = api.content(id, token).await
                && !self.gone()
            {
                if own.contains(token) {
                    storage::settle_token(api.origin(), id, token);
                }
                return self.unlocked(html);
            }
        }
    }

    /// Polls the content route with backoff until the payment is recorded, with the token of
    /// the purchase just confirmed (kept in memory since Buy: storage may hold none, or another
    /// tab's).
    async fn unlock_after_payment(&self) {
        self.unlock_after_payment_keeping(Keep::Nothing).await
    }

    /// [`Flow::unlock_after_payment`], keeping the paywall above the content when it still
    /// offers a receipt.
    async fn unlock_after_payment_keeping(&self, keep: Keep) {
        let (api, id, state) = (&self.setup.api, &self.setup.paywall_id, self.state);
        state.phase.set(Phase::Unlocking);
        let Some(token) = state.card_form.with_value(|form| form.access_token.clone()) else {
            return state.phase.set(Phase::SlowUnlock);
        };
        for delay in UNLOCK_BACKOFF_MS {
            gloo_timers::future::TimeoutFuture::new(delay).await;
            match api.content(id, &token).await {
                Ok(ContentAnswer::Paid(html)) => {
                    storage::settle_token(api.origin(), id, &token);
                    // Read before the paid part replaces the widget (its state goes with it).
                    let bought_pass = state.buying_pass.get_untracked().is_some();
                    self.unlocked_keeping(html, keep);
                    // A pass opens the page's other paywalls it covers, without a reload.
                    if bought_pass {
                        restored::announce();
                    }
                    return;
                }
                Err(ApiError::Aborted) => return,
                _ => {}
            }
        }
        state.phase.set(Phase::SlowUnlock);
    }

    fn unlocked(&self, html: String) {
        self.unlocked_keeping(html, Keep::Nothing)
    }

    fn unlocked_keeping(&self, html: String, keep: Keep) {
        self.release();
        // A tip jar stays a tip jar: the next visit offers it again instead of the thank-you.
        if self.state.info.with_untracked(|i| i.as_ref().is_some_and(|i| i.mode == PaywallMode::Tip)) {
            storage::forget_tokens(self.setup.api.origin(), &self.setup.paywall_id);
        }
        self.state.phase.set(if keep == Keep::Paywall { Phase::ReceiptOffer } else { Phase::Unlocked });
        // A tip jar whose creator wrote no thank-you: the reader's language's own.
        let html =
            if html.trim().is_empty() { String::from("<p>") + self.setup.texts.thank_you + "</p>" } else { html };
        (self.setup.on_unlocked)(html, keep);
    }

    /// Cancel: close the card form, back to the locked paywall.
    pub fn cancel(&self) {
        self.release();
        self.state.buying_pass.set(None);
        self.state.card_error.set(None);
        self.state.phase.set(Phase::Locked);
    }

    /// Destroys the card Element and the wallet buttons and drops their listeners.
    fn release(&self) {
        let _ = self.state.card_form.try_update_value(|form| {
            if let Some(card) = form.card.take() {
                card.destroy();
            }
            if let Some(wallet) = form.wallet.take() {
                wallet.destroy();
            }
            form.on_change = None;
            form.wallet_listeners.clear();
            form.wallet_elements = None;
            form.stripe = None;
        });
        self.state.wallets.try_set(false);
        self.state.wallet_paying.try_set(false);
    }

    /// The widget goes: every request in flight stops, and the card form is released.
    pub fn release_all(&self) {
        self.setup.api.abort();
        self.release();
    }
}

/// A warning in the console, for the blog's developer.
fn warn(message: &str) {
    web_sys::console::warn_2(&JsValue::from_str("plog:"), &JsValue::from_str(message));
}

/// What trying a gift link came to.
enum Gift {
    /// The paywall opened.
    Opened,
    /// The widget went away meanwhile.
    Gone,
    /// The link is this paywall's but opens nothing: why, in the reader's language.
    Refused(&'static str),
    /// Not this paywall's link.
    NotHere,
}

/// A gift link's refusal in the reader's language.
fn gift_refusal(code: ErrorCode, texts: &'static crate::i18n::Texts) -> &'static str {
    match code {
        ErrorCode::GiftRevoked => texts.gift_revoked,
        ErrorCode::GiftExpired => texts.gift_expired,
        _ => texts.gift_used_up,
    }
}

//! The paywall component and its purchase flow:
//! loading → locked → (Buy) preparing → paying → confirming → declined ⟲ | unlocking → unlocked,
//! with unavailable when the API is down or the paywall is missing. Where the reader chooses
//! (pay what you want, tips) the locked state offers amount chips and a field for any amount,
//! read with `parse_typed_amount` and checked before anything is created.
//!
//! Reactive state lives in signals; the Stripe.js objects, which are not `Send`, live in a
//! local [`StoredValue`] and are released in `on_cleanup`.

use std::rc::Rc;

use leptos::html::Div;
use leptos::prelude::*;
use leptos::task::spawn_local;
use plog_shared::Currency;
use plog_shared::api::{PaywallInfo, PaywallMode, PaywallStatus};
use plog_shared::money::{TypedAmountError, parse_typed_amount};
use wasm_bindgen::prelude::*;

use crate::api::{ApiClient, ApiError, ContentAnswer};
use crate::format::format_price;
use crate::i18n::Texts;
use crate::storage;
use crate::stripe_js::{self, CardElement, Confirmation, StripeInstance};
use crate::theme;

/// Where the paywall is in the purchase flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// Reading the paywall (or trying a held token).
    Loading,
    /// The API is down, the paywall is missing or no longer sold.
    Unavailable {
        /// True when the paywall is archived rather than unreachable.
        archived: bool,
    },
    /// Title, teaser, price and the Buy button.
    Locked,
    /// Loading Stripe.js and creating the purchase.
    Preparing,
    /// The card form is shown.
    Paying,
    /// `confirmCardPayment` is running (3-D Secure included).
    Confirming,
    /// The last attempt failed with this message; the reader can retry.
    Declined(String),
    /// Paid; waiting for the content.
    Unlocking,
    /// Paid, but the content did not come in time.
    SlowUnlock,
    /// The content replaced the paywall.
    Unlocked,
}

/// The card form's Stripe.js objects and the purchase being paid.
#[derive(Default)]
struct Session {
    stripe: Option<StripeInstance>,
    card: Option<CardElement>,
    on_change: Option<Closure<dyn FnMut(JsValue)>>,
    client_secret: Option<String>,
}

/// What the component is given by the mount code.
pub struct PaywallSetup {
    /// The paywall id from the tag.
    pub paywall_id: String,
    /// The API client (origin from the tag's `src`).
    pub api: ApiClient,
    /// Sentences in the chosen language.
    pub texts: &'static Texts,
    /// Light-DOM node the card Element mounts into (projected through `<slot name="card">`).
    pub card_slot: web_sys::Element,
    /// Called with the paid HTML once unlocked; replaces the paywall in the page.
    pub on_unlocked: Rc<dyn Fn(String)>,
}

struct Env {
    setup: PaywallSetup,
    themed: NodeRef<Div>,
}

#[derive(Clone, Copy)]
struct Ctx {
    phase: RwSignal<Phase>,
    info: RwSignal<Option<PaywallInfo>>,
    /// The amount the reader chose (modes where the reader chooses).
    chosen: RwSignal<Option<i64>>,
    /// What is typed in the "other amount" field.
    typed: RwSignal<String>,
    /// Why the typed amount is refused.
    amount_error: RwSignal<Option<String>>,
    card_error: RwSignal<Option<String>>,
    notice: RwSignal<Option<String>>,
    env: StoredValue<Env, LocalStorage>,
    session: StoredValue<Session, LocalStorage>,
}

impl Ctx {
    fn api(&self) -> ApiClient {
        self.env.with_value(|e| e.setup.api.clone())
    }
    fn paywall_id(&self) -> String {
        self.env.with_value(|e| e.setup.paywall_id.clone())
    }
    fn texts(&self) -> &'static Texts {
        self.env.with_value(|e| e.setup.texts)
    }
}

/// Delays between content polls after a payment (the API settles a late webhook itself, so the
/// first or second try usually succeeds).
const UNLOCK_BACKOFF_MS: [u32; 8] = [0, 250, 500, 750, 1_000, 1_500, 2_000, 3_000];

/// Builds the paywall view and starts loading.
pub fn paywall_view(setup: PaywallSetup) -> impl IntoView {
    let texts = setup.texts;
    let themed = NodeRef::<Div>::new();
    let ctx = Ctx {
        phase: RwSignal::new(Phase::Loading),
        info: RwSignal::new(None),
        chosen: RwSignal::new(None),
        typed: RwSignal::new(String::new()),
        amount_error: RwSignal::new(None),
        card_error: RwSignal::new(None),
        notice: RwSignal::new(None),
        env: StoredValue::new_local(Env { setup, themed }),
        session: StoredValue::new_local(Session::default()),
    };
    spawn_local(start(ctx));
    on_cleanup(move || release(ctx));

    // One reactive class on the root drives which parts show (see theme.rs): far less code in
    // the WebAssembly than a reactive `hidden` per part, and the widget ships to every reader.
    let phase = ctx.phase;
    let root_class = move || {
        let (sandbox, teaser) =
            ctx.info.with(|i| i.as_ref().map_or((false, false), |i| (i.sandbox, i.teaser.is_some())));
        let mode = ctx.info.with(|i| match i.as_ref().map(|i| (i.mode, i.tip_count.is_some())) {
            Some((PaywallMode::Tip, true)) => " choose tip has-count",
            Some((PaywallMode::Tip, false)) => " choose tip",
            Some((PaywallMode::PayWhatYouWant, _)) => " choose",
            _ => "",
        });
        let state = match phase.get() {
            Phase::Loading => "loading",
            Phase::Unavailable { archived: false } => "unavailable",
            Phase::Unavailable { archived: true } => "unavailable archived",
            Phase::Locked => "locked",
            Phase::Preparing => "preparing busy",
            Phase::Paying => "paying form",
            Phase::Confirming => "confirming form busy",
            Phase::Declined(_) => "declined form",
            Phase::Unlocking => "unlocking busy",
            Phase::SlowUnlock => "slow",
            Phase::Unlocked => "unlocked",
        };
        format!(
            "paywall {state}{}{}{mode}",
            if sandbox { " sandbox" } else { "" },
            if teaser { " has-teaser" } else { "" }
        )
    };
    let money = move |amount: i64| {
        ctx.info
            .with(|info| info.as_ref().map(|i| format_price(amount, &i.price.currency, texts.locale)))
            .unwrap_or_default()
    };
    // The price line: the price, or "at least" the minimum where the reader chooses.
    let price = move || {
        let Some((amount, mode)) = ctx.info.with(|i| i.as_ref().map(|i| (i.price.amount, i.mode))) else {
            return String::new();
        };
        match mode {
            PaywallMode::Fixed => money(amount),
            _ => texts.minimum.replace("{price}", &money(amount)),
        }
    };
    // What the Pay button charges: the price, or the reader's amount.
    let charge = move || {
        let fixed = ctx.info.with(|i| i.as_ref().filter(|i| !i.mode.reader_chooses()).map(|i| i.price.amount));
        fixed.or(ctx.chosen.get()).map(money).unwrap_or_default()
    };
    let chips = move || {
        let amounts = ctx.info.with(|i| i.as_ref().map(choices).unwrap_or_default());
        amounts
            .into_iter()
            .map(|amount| {
                let pressed =
                    move || (ctx.chosen.get() == Some(amount) && ctx.typed.with(String::is_empty)).to_string();
                view! {
                    <button type="button" class="chip" part="button amount-chip" aria-pressed=pressed
                        on:click=move |_| choose(ctx, amount)>{money(amount)}</button>
                }
            })
            .collect_view()
    };
    let tip_count = move || {
        ctx.info
            .with(|i| i.as_ref().and_then(|i| i.tip_count))
            .map(|n| texts.tips_so_far.replace("{count}", &n.to_string()))
    };
    let buy_label = move || {
        if ctx.info.with(|i| i.as_ref().is_some_and(|i| i.mode == PaywallMode::Tip)) { texts.tip } else { texts.buy }
    };
    let status = move || match phase.get() {
        Phase::Loading => texts.loading.to_owned(),
        Phase::Preparing => texts.preparing.to_owned(),
        Phase::Confirming => texts.confirming.to_owned(),
        Phase::Unlocking => texts.unlocking.to_owned(),
        Phase::SlowUnlock => texts.slow_unlock.to_owned(),
        Phase::Unlocked => texts.unlocked.to_owned(),
        Phase::Locked => ctx.notice.get().unwrap_or_default(),
        _ => String::new(),
    };
    let error = move || match phase.get() {
        Phase::Declined(message) => Some(format!("{message} {}", texts.try_again)),
        _ => ctx.card_error.get(),
    };
    let confirming = move || phase.with(|p| matches!(p, Phase::Confirming));
    let info_text =
        move |read: fn(&PaywallInfo) -> Option<String>| move || ctx.info.with(|i| i.as_ref().and_then(read));

    view! {
        <div class=root_class part="paywall" node_ref=themed lang=texts.locale>
            <span class="badge" part="badge">{texts.sandbox}</span>
            <p class="message" part="message">
                <span class="down">{texts.unavailable}</span>
                <span class="gone">{texts.archived}</span>
            </p>
            <div class="main">
                <p class="title" part="title">{info_text(|i| Some(i.title.clone()))}</p>
                <p class="teaser" part="teaser">{info_text(|i| i.teaser.clone())}</p>
                <p class="price" part="price">{texts.price_label} ": " <strong>{price}</strong></p>
                <p class="tips-count" part="tips-count">{tip_count}</p>
                <fieldset class="amounts" part="amounts">
                    <legend>{texts.choose_amount}</legend>
                    {chips}
                    <label class="other">
                        {texts.other_amount}
                        <input type="text" inputmode="decimal" autocomplete="off" part="amount-input"
                            prop:value=move || ctx.typed.get()
                            on:input=move |event| type_amount(ctx, event_target_value(&event))/>
                    </label>
                    <p class="amount-error" part="error" role="alert">{move || ctx.amount_error.get()}</p>
                </fieldset>
                <div class="buy-area">
                    <button type="button" part="button buy-button" class="buy" on:click=move |_| spawn_local(buy(ctx))>
                        {buy_label}
                    </button>
                    <p class="hint">{texts.pay_inline}</p>
                </div>
                <div class="card-area">
                    <span class="card-label" id="plog-card-label">{texts.card_label}</span>
                    <div class="card" part="card" role="group" aria-labelledby="plog-card-label"
                        prop:innerHTML="<slot name=\"card\"></slot>"></div>
                    <p class="error" part="error" role="alert">{error}</p>
                    <button type="button" part="button pay-button" class="pay" disabled=confirming
                        on:click=move |_| spawn_local(pay(ctx))>
                        <span class="spinner" aria-hidden="true"></span>
                        {move || texts.pay.replace("{price}", &charge())}
                    </button>
                    <button type="button" part="button cancel-button" class="secondary" disabled=confirming
                        on:click=move |_| cancel(ctx)>
                        {texts.cancel}
                    </button>
                </div>
            </div>
            <p class="status" part="status" role="status" aria-live="polite">
                <span class="spinner" aria-hidden="true"></span>
                {status}
            </p>
        </div>
    }
}

/// First load: a held token is tried before anything else, so a returning reader sees the
/// content with one request and no payment UI.
async fn start(ctx: Ctx) {
    let (api, id) = (ctx.api(), ctx.paywall_id());
    if let Some(token) = storage::load_token(api.origin(), &id) {
        match api.content(&id, &token).await {
            Ok(ContentAnswer::Paid(html)) => return unlocked(ctx, html),
            Ok(ContentAnswer::NotPaid) => storage::forget_token(api.origin(), &id),
            Err(ApiError::NotFound) => return ctx.phase.set(Phase::Unavailable { archived: false }),
            Err(_) => {}
        }
    }
    match api.paywall(&id).await {
        Ok(info) => {
            let archived = info.status == PaywallStatus::Archived;
            if info.mode.reader_chooses() {
                ctx.chosen.set(info.suggested.or_else(|| choices(&info).first().copied()));
            }
            ctx.info.set(Some(info));
            if !archived {
                api.count_view(&id);
            }
            ctx.phase.set(if archived { Phase::Unavailable { archived: true } } else { Phase::Locked });
        }
        Err(_) => ctx.phase.set(Phase::Unavailable { archived: false }),
    }
}

/// Buy: load Stripe.js (only now), mount the card Element in the light DOM, start a purchase.
async fn buy(ctx: Ctx) {
    if ctx.phase.get_untracked() != Phase::Locked {
        return;
    }
    let Some(info) = ctx.info.get_untracked() else { return };
    let texts = ctx.texts();
    // An amount the server would refuse is refused here, before Stripe.js or a purchase.
    if info.mode.reader_chooses()
        && (ctx.chosen.get_untracked().is_none() || ctx.amount_error.with_untracked(Option::is_some))
    {
        if ctx.amount_error.with_untracked(Option::is_none) {
            ctx.amount_error.set(Some(texts.amount_missing.to_owned()));
        }
        return;
    }
    ctx.notice.set(None);
    ctx.phase.set(Phase::Preparing);
    let prepared = async {
        stripe_js::load(&info.stripe.js_url).await?;
        let stripe = stripe_js::stripe(&info.stripe.publishable_key, texts.locale)?;
        let themed = ctx.env.with_value(|e| e.themed.get_untracked());
        let options = themed.map(|el| theme::card_options(&el)).unwrap_or(JsValue::NULL);
        let card = stripe_js::create_card(&stripe, &options)?;
        let slot = ctx.env.with_value(|e| e.setup.card_slot.clone());
        card.mount(&slot)?;
        let card_error = ctx.card_error;
        let on_change = card.on_change(move |message, _complete| card_error.set(message));
        ctx.session.update_value(|s| {
            s.stripe = Some(stripe);
            s.card = Some(card);
            s.on_change = Some(on_change);
        });
        Ok::<_, stripe_js::StripeJsError>(())
    }
    .await;
    if let Err(error) = prepared {
        web_sys::console::warn_1(&format!("plog: {}", error.0).into());
        release(ctx);
        ctx.notice.set(Some(texts.unavailable.to_owned()));
        ctx.phase.set(Phase::Locked);
        return;
    }
    if new_purchase(ctx).await {
        ctx.phase.set(Phase::Paying);
        // The card form becomes visible on the next render; focus it then, so a keyboard user
        // continues typing where the Buy button was.
        gloo_timers::future::TimeoutFuture::new(0).await;
        ctx.session.with_value(|s| s.card.as_ref().map(CardElement::focus));
    }
}

/// Creates a purchase and keeps its token; on failure shows why and returns false.
async fn new_purchase(ctx: Ctx) -> bool {
    let (api, id, texts) = (ctx.api(), ctx.paywall_id(), ctx.texts());
    let amount = ctx
        .info
        .with_untracked(|i| i.as_ref().is_some_and(|i| i.mode.reader_chooses()))
        .then(|| ctx.chosen.get_untracked())
        .flatten();
    match api.start_purchase(&id, amount).await {
        Ok(created) => {
            storage::save_token(api.origin(), &id, &created.access_token);
            ctx.session.update_value(|s| s.client_secret = Some(created.client_secret));
            true
        }
        Err(ApiError::Refused { status: 410, .. }) => {
            release(ctx);
            ctx.phase.set(Phase::Unavailable { archived: true });
            false
        }
        Err(_) => {
            release(ctx);
            ctx.notice.set(Some(texts.unavailable.to_owned()));
            ctx.phase.set(Phase::Locked);
            false
        }
    }
}

/// Pay: confirm the card payment; a decline keeps the form for a retry on the same purchase.
async fn pay(ctx: Ctx) {
    if !matches!(ctx.phase.get_untracked(), Phase::Paying | Phase::Declined(_)) {
        return;
    }
    ctx.phase.set(Phase::Confirming);
    ctx.card_error.set(None);
    let texts = ctx.texts();
    for attempt in 0..2 {
        let (stripe, card, secret) =
            ctx.session.with_value(|s| (s.stripe.clone(), s.card.clone(), s.client_secret.clone()));
        let (Some(stripe), Some(card), Some(secret)) = (stripe, card, secret) else { return };
        match stripe_js::confirm_card_payment(&stripe, &secret, &card).await {
            Ok(Confirmation::Succeeded) => return unlock_after_payment(ctx).await,
            Ok(Confirmation::Failed { code, intent_status, message })
                if code.as_deref() == Some("payment_intent_unexpected_state") =>
            {
                match after_unexpected_state(intent_status.as_deref()) {
                    // Paid already (a first confirm went through but its answer was lost):
                    // unlock, never charge again.
                    Retry::Unlock => return unlock_after_payment(ctx).await,
                    // This intent can no longer be confirmed and took no money (canceled, or an
                    // emulator that cannot confirm again after a decline): one fresh purchase,
                    // within the same press of Pay.
                    Retry::FreshPurchase if attempt == 0 => {
                        if !new_purchase(ctx).await {
                            return;
                        }
                    }
                    Retry::FreshPurchase | Retry::Stop => {
                        return ctx
                            .phase
                            .set(Phase::Declined(message.unwrap_or_else(|| texts.payment_failed.to_owned())));
                    }
                }
            }
            Ok(Confirmation::Failed { message, .. }) => {
                return ctx.phase.set(Phase::Declined(message.unwrap_or_else(|| texts.payment_failed.to_owned())));
            }
            // Stripe.js threw (an IntegrationError) or failed: the reader can try again.
            Err(error) => {
                web_sys::console::warn_1(&format!("plog: {}", error.0).into());
                return ctx.phase.set(Phase::Declined(texts.payment_failed.to_owned()));
            }
        }
    }
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

/// Polls the content route with backoff until the payment is recorded.
async fn unlock_after_payment(ctx: Ctx) {
    ctx.phase.set(Phase::Unlocking);
    let (api, id) = (ctx.api(), ctx.paywall_id());
    let Some(token) = storage::load_token(api.origin(), &id) else { return ctx.phase.set(Phase::SlowUnlock) };
    for delay in UNLOCK_BACKOFF_MS {
        gloo_timers::future::TimeoutFuture::new(delay).await;
        if let Ok(ContentAnswer::Paid(html)) = api.content(&id, &token).await {
            return unlocked(ctx, html);
        }
    }
    ctx.phase.set(Phase::SlowUnlock);
}

fn unlocked(ctx: Ctx, html: String) {
    release(ctx);
    // A tip jar stays a tip jar: the next visit offers it again instead of the thank-you.
    if ctx.info.with_untracked(|i| i.as_ref().is_some_and(|i| i.mode == PaywallMode::Tip)) {
        storage::forget_token(ctx.api().origin(), &ctx.paywall_id());
    }
    ctx.phase.set(Phase::Unlocked);
    let on_unlocked = ctx.env.with_value(|e| e.setup.on_unlocked.clone());
    on_unlocked(html);
}

/// The one-tap amounts: the tip presets, or the minimum and the suggested amount.
fn choices(info: &PaywallInfo) -> Vec<i64> {
    match info.mode {
        PaywallMode::Fixed => Vec::new(),
        PaywallMode::Tip => info.presets.clone(),
        PaywallMode::PayWhatYouWant => {
            let mut amounts = vec![info.price.amount];
            amounts.extend(info.suggested.filter(|s| *s != info.price.amount));
            amounts
        }
    }
}

/// A chip was pressed: that amount, and the typed one is cleared.
fn choose(ctx: Ctx, amount: i64) {
    ctx.typed.set(String::new());
    ctx.amount_error.set(None);
    ctx.chosen.set(Some(amount));
}

/// The reader typed an amount: read it as the locale writes numbers, and say at once what is wrong.
fn type_amount(ctx: Ctx, text: String) {
    let texts = ctx.texts();
    let Some((currency, minimum, maximum)) = ctx.info.with_untracked(|i| {
        i.as_ref()
            .map(|i| (i.price.currency.clone(), i.price.amount, i.maximum.unwrap_or(plog_shared::money::MAX_AMOUNT)))
    }) else {
        return;
    };
    let money = |amount: i64| format_price(amount, &currency, texts.locale);
    ctx.typed.set(text.clone());
    if text.trim().is_empty() {
        // Back to the default choice.
        ctx.amount_error.set(None);
        ctx.chosen.set(
            ctx.info.with_untracked(|i| i.as_ref().and_then(|i| i.suggested.or_else(|| choices(i).first().copied()))),
        );
        return;
    }
    let Ok(known) = Currency::parse(&currency) else { return };
    match parse_typed_amount(&text, known, minimum, maximum) {
        Ok(amount) => {
            ctx.amount_error.set(None);
            ctx.chosen.set(Some(amount));
        }
        Err(error) => {
            ctx.amount_error.set(Some(match error {
                TypedAmountError::Empty | TypedAmountError::NotANumber => texts.amount_not_a_number.to_owned(),
                TypedAmountError::TooManyDecimals => texts.amount_decimals.to_owned(),
                TypedAmountError::TooLow { minimum } => texts.amount_too_low.replace("{price}", &money(minimum)),
                TypedAmountError::TooHigh { maximum } => texts.amount_too_high.replace("{price}", &money(maximum)),
            }));
        }
    }
}

fn cancel(ctx: Ctx) {
    release(ctx);
    ctx.card_error.set(None);
    ctx.phase.set(Phase::Locked);
}

/// Destroys the card Element and drops its listener.
fn release(ctx: Ctx) {
    let _ = ctx.session.try_update_value(|s| {
        if let Some(card) = s.card.take() {
            card.destroy();
        }
        s.on_change = None;
        s.stripe = None;
    });
}

//! What the paywall's parts and its purchase flow share: where the flow is ([`Phase`]), the
//! reactive values the view shows ([`PaywallState`]), and what the mount code hands over
//! ([`PaywallSetup`]).

use std::rc::Rc;

use leptos::html::Div;
use leptos::prelude::*;
use plog_shared::api::{DiscountQuote, PaywallInfo, PaywallMode, PaywallStatus};
use wasm_bindgen::prelude::*;

use crate::api::ApiClient;
use crate::format::format_price;
use crate::i18n::Texts;
use crate::stripe_js::{CardElement, StripeInstance, WalletButtons, WalletElements};

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
    /// Paid with a wallet that shared an address: the content shows below the paywall, which
    /// offers a receipt to that address until the reader sends or declines it.
    ReceiptOffer,
    /// Paid, but the content did not come in time.
    SlowUnlock,
    /// The content replaced the paywall.
    Unlocked,
}

/// Where the "restore access" form is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RestoreStep {
    /// Not open: the link that opens it shows.
    Closed,
    /// Asking for the address.
    Email,
    /// A code was asked for: waiting for it.
    Code {
        /// The request the code belongs to.
        restore_id: String,
    },
}

/// What the component is given by the mount code.
pub struct PaywallSetup {
    /// The paywall id from the tag.
    pub paywall_id: String,
    /// The API client (origin from the tag's `src`).
    pub api: ApiClient,
    /// Sentences in the chosen language.
    pub texts: &'static Texts,
    /// Light-DOM node the card Element mounts into (projected through `<slot name="card">`);
    /// none on the server, which only paints.
    pub card_slot: Option<web_sys::Element>,
    /// Light-DOM node the wallet buttons mount into (projected through `<slot name="wallet">`).
    pub wallet_slot: Option<web_sys::Element>,
    /// Called with the paid HTML once unlocked: puts it where the paywall stands, and replaces
    /// the paywall ([`Keep::Nothing`]) or keeps it above the content ([`Keep::Paywall`]).
    pub on_unlocked: Rc<dyn Fn(String, Keep)>,
    /// Takes a paywall kept above its content out of the page.
    pub close: Rc<dyn Fn()>,
}

/// What stays in the page once the paid part shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// The content replaces the paywall.
    Nothing,
    /// The paywall stays above the content (it still offers something: a receipt).
    Paywall,
}

/// The Stripe.js objects of the open card form and the purchase being paid. Not `Send`: kept
/// in a local [`StoredValue`] and released when the form closes or the widget goes.
#[derive(Default)]
pub struct CardForm {
    /// The Stripe.js instance.
    pub stripe: Option<StripeInstance>,
    /// The mounted card Element.
    pub card: Option<CardElement>,
    /// Its `change` listener (dropped with it).
    pub on_change: Option<Closure<dyn FnMut(JsValue)>>,
    /// The purchase's PaymentIntent client secret.
    pub client_secret: Option<String>,
    /// The purchase's access token: what the receipt and the unlock use, whatever the storage
    /// holds (refused storage, another tab's purchase).
    pub access_token: Option<String>,
    /// What the purchase's PaymentIntent charges, as the server priced it.
    pub price: Option<plog_shared::api::Price>,
    /// The wallets' Elements group, and the amount its sheet shows.
    pub wallet_elements: Option<(WalletElements, i64)>,
    /// The mounted wallet buttons.
    pub wallet: Option<WalletButtons>,
    /// Their `ready` and `confirm` listeners (dropped with them).
    pub wallet_listeners: Vec<Closure<dyn FnMut(JsValue)>>,
}

/// The parts of the view a chunk renders when the reader first needs them (the card form, the
/// restore and code forms, the receipt offer): the view and the server's painted HTML hold an
/// empty container for each, so the takeover's code carries none of theirs
/// (src/chunks.rs). Each is mounted once into its container, and unmounted with the paywall.
#[derive(Default)]
pub struct Parts(Vec<Box<dyn std::any::Any>>);

impl Parts {
    /// Renders `part` into `container` once (a container that holds something already is left
    /// as it is).
    pub fn mount<V: IntoView + 'static>(
        state: &PaywallState,
        container: NodeRef<Div>,
        part: impl FnOnce() -> V + 'static,
    ) {
        let Some(container) = container.get_untracked() else { return };
        if container.child_element_count() > 0 {
            return;
        }
        let mounted = leptos::mount::mount_to(container.into(), part);
        state.parts.update_value(|parts| parts.0.push(Box::new(mounted)));
    }
}

/// Everything the paywall shows that changes, in one signal: the reactive machinery is
/// instantiated for this one type, not once per type of value (a paywall has few values and
/// re-renders little, so one signal for all costs nothing a reader notices). Each value is read
/// and written through its [`Field`].
struct Ui {
    phase: Phase,
    info: Option<PaywallInfo>,
    chosen: Option<i64>,
    typed: String,
    amount_error: Option<String>,
    card_error: Option<String>,
    notice: Option<String>,
    storage_refused: bool,
    receipt_email: String,
    wallets: bool,
    wallet_paying: bool,
    email_error: Option<String>,
    restore: RestoreStep,
    restore_email: String,
    restore_code: String,
    restore_message: Option<String>,
    restore_busy: bool,
    buying_pass: Option<String>,
    discount: Option<DiscountQuote>,
    code_open: bool,
    code_typed: String,
    code_message: Option<String>,
}

/// One value of the paywall's state: a view of its part of the one signal, with the methods of a
/// signal (reading tracks the whole state; writing notifies everything that read it).
pub struct Field<T: 'static> {
    ui: RwSignal<Ui>,
    read: fn(&Ui) -> &T,
    write: fn(&mut Ui) -> &mut T,
}

impl<T> Clone for Field<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Field<T> {}

impl<T> Field<T> {
    /// Reads the value, tracked.
    pub fn with<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        self.ui.with(|ui| f((self.read)(ui)))
    }

    /// Reads the value without tracking it.
    pub fn with_untracked<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        self.ui.with_untracked(|ui| f((self.read)(ui)))
    }

    /// The value, tracked.
    pub fn get(&self) -> T
    where
        T: Clone,
    {
        self.with(T::clone)
    }

    /// The value, untracked.
    pub fn get_untracked(&self) -> T
    where
        T: Clone,
    {
        self.with_untracked(T::clone)
    }

    /// Replaces the value (everything that read the state runs again).
    pub fn set(&self, value: T) {
        self.ui.update(|ui| *(self.write)(ui) = value);
    }

    /// Replaces the value unless the paywall is gone (its state disposed); false if it was.
    pub fn try_set(&self, value: T) -> bool {
        self.ui.try_update(|ui| *(self.write)(ui) = value).is_some()
    }
}

/// The reactive values of one paywall (cheap to copy into every closure).
#[derive(Clone, Copy)]
pub struct PaywallState {
    /// Where the flow is.
    pub phase: Field<Phase>,
    /// The paywall as the API describes it, once read.
    pub info: Field<Option<PaywallInfo>>,
    /// The amount the reader chose (modes where the reader chooses).
    pub chosen: Field<Option<i64>>,
    /// What is typed in the "other amount" field.
    pub typed: Field<String>,
    /// Why the typed amount is refused.
    pub amount_error: Field<Option<String>>,
    /// What Stripe.js says about the card as it is typed.
    pub card_error: Field<Option<String>>,
    /// A notice on the locked paywall (Stripe.js or the API could not be reached).
    pub notice: Field<Option<String>>,
    /// This browser refuses site storage (found at Buy): the card form says what that means.
    pub storage_refused: Field<bool>,
    /// The address for a receipt, as typed in the card form (or shared by a wallet).
    pub receipt_email: Field<String>,
    /// The device offers a wallet: its buttons show above the card form.
    pub wallets: Field<bool>,
    /// A wallet payment is being confirmed (a second press of its button is refused).
    pub wallet_paying: Field<bool>,
    /// Why that address is refused.
    pub email_error: Field<Option<String>>,
    /// The restore form's step.
    pub restore: Field<RestoreStep>,
    /// The address typed in the restore form.
    pub restore_email: Field<String>,
    /// The code typed in the restore form.
    pub restore_code: Field<String>,
    /// What the restore form says (sent, refused, …).
    pub restore_message: Field<Option<String>>,
    /// A restore request is running.
    pub restore_busy: Field<bool>,
    /// The pass being bought (`None`: the article).
    pub buying_pass: Field<Option<String>>,
    /// The discount code's prices, once the server accepted it.
    pub discount: Field<Option<DiscountQuote>>,
    /// The code field is open.
    pub code_open: Field<bool>,
    /// What is typed in the code field.
    pub code_typed: Field<String>,
    /// What the code field says (applied, or why not).
    pub code_message: Field<Option<String>>,
    /// The root element, whose CSS variables theme the card Element.
    pub themed: NodeRef<Div>,
    /// Where the card form goes: its chunk renders it there at the first Buy ([`Parts`]).
    pub card_area: NodeRef<Div>,
    /// Where the restore forms go, rendered by their chunk when restore opens.
    pub restore_forms: NodeRef<Div>,
    /// Where the code form goes, rendered by its chunk when "Have a code?" is pressed.
    pub code_form: NodeRef<Div>,
    /// Where the receipt offered after a wallet payment goes.
    pub offer: NodeRef<Div>,
    /// The parts of the view the chunks rendered, kept mounted while the paywall is.
    pub parts: StoredValue<Parts, LocalStorage>,
    /// The open card form.
    pub card_form: StoredValue<CardForm, LocalStorage>,
}

impl PaywallState {
    /// A paywall that is loading.
    pub fn new() -> PaywallState {
        let ui = RwSignal::new(Ui {
            phase: Phase::Loading,
            info: None,
            chosen: None,
            typed: String::new(),
            amount_error: None,
            card_error: None,
            notice: None,
            storage_refused: false,
            receipt_email: String::new(),
            wallets: false,
            wallet_paying: false,
            email_error: None,
            restore: RestoreStep::Closed,
            restore_email: String::new(),
            restore_code: String::new(),
            restore_message: None,
            restore_busy: false,
            buying_pass: None,
            discount: None,
            code_open: false,
            code_typed: String::new(),
            code_message: None,
        });
        // A field of the one signal: it reads and writes its own part of `Ui`.
        macro_rules! field {
            ($name:ident) => {
                Field { ui, read: |ui| &ui.$name, write: |ui| &mut ui.$name }
            };
        }
        PaywallState {
            phase: field!(phase),
            info: field!(info),
            chosen: field!(chosen),
            typed: field!(typed),
            amount_error: field!(amount_error),
            card_error: field!(card_error),
            notice: field!(notice),
            storage_refused: field!(storage_refused),
            receipt_email: field!(receipt_email),
            wallets: field!(wallets),
            wallet_paying: field!(wallet_paying),
            email_error: field!(email_error),
            restore: field!(restore),
            restore_email: field!(restore_email),
            restore_code: field!(restore_code),
            restore_message: field!(restore_message),
            restore_busy: field!(restore_busy),
            buying_pass: field!(buying_pass),
            discount: field!(discount),
            code_open: field!(code_open),
            code_typed: field!(code_typed),
            code_message: field!(code_message),
            themed: NodeRef::new(),
            card_area: NodeRef::new(),
            restore_forms: NodeRef::new(),
            code_form: NodeRef::new(),
            offer: NodeRef::new(),
            parts: StoredValue::new_local(Parts::default()),
            card_form: StoredValue::new_local(CardForm::default()),
        }
    }

    /// The paywall is read: it shows locked (or archived), with the reader's default amount
    /// chosen where the reader chooses, and a notice if there is one.
    pub fn show_locked(&self, info: PaywallInfo, notice: Option<&'static str>) {
        let archived = info.status == PaywallStatus::Archived;
        if info.mode.reader_chooses() {
            self.chosen.set(info.suggested.or_else(|| choices(&info).first().copied()));
        }
        self.info.set(Some(info));
        self.notice.set(notice.map(str::to_owned));
        self.phase.set(if archived { Phase::Unavailable { archived: true } } else { Phase::Locked });
    }

    /// The article's price with the applied code, if it lowers it.
    pub fn discounted_price(&self) -> Option<i64> {
        self.discount.with(|d| d.as_ref().and_then(|d| d.amount))
    }

    /// A pass's price with the applied code, if it lowers it.
    pub fn discounted_pass(&self, pass_id: &str) -> Option<i64> {
        self.discount
            .with(|d| d.as_ref().and_then(|d| d.passes.iter().find(|p| p.pass_id == pass_id).map(|p| p.amount)))
    }

    /// What the Pay button charges: the pass's or the article's price (with the code), or the
    /// reader's amount where the reader chooses.
    pub fn charge(&self) -> Option<i64> {
        let info = self.info;
        if let Some(pass_id) = self.buying_pass.get() {
            return self.discounted_pass(&pass_id).or_else(|| {
                info.with(|i| {
                    i.as_ref().and_then(|i| i.passes.iter().find(|p| p.id == pass_id).map(|p| p.price.amount))
                })
            });
        }
        let fixed = info.with(|i| i.as_ref().filter(|i| !i.mode.reader_chooses()).map(|i| i.price.amount));
        match fixed {
            Some(price) => Some(self.discounted_price().unwrap_or(price)),
            None => self.chosen.get(),
        }
    }

    /// An amount of the paywall's currency as the reader's language writes it.
    pub fn money(&self, amount: i64, texts: &Texts) -> String {
        self.info
            .with(|info| info.as_ref().map(|i| format_price(amount, &i.price.currency, texts.locale)))
            .unwrap_or_default()
    }
}

impl Default for PaywallState {
    fn default() -> Self {
        PaywallState::new()
    }
}

/// The one-tap amounts: the tip presets, or the minimum and the suggested amount.
pub fn choices(info: &PaywallInfo) -> Vec<i64> {
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

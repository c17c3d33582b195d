//! The wire contract, in the browser: every answer the server sends is serialised here by serde
//! exactly as the server serialises it (the same `plog_shared` types), parsed by the browser's
//! `JSON.parse` and read back by the widget's own decoder (`plog_widget::wire`), which must give
//! the same value; every request the widget sends is written by its encoder and read by serde as
//! the server reads it. Dropping any field: the decoder refuses exactly when serde would.

use plog_shared::ErrorCode;
use plog_shared::api::{
    CodeRequest, DiscountQuote, ErrorBody, ErrorDetail, GiftOpened, PaidContent, PaintedView, PassOffer, PassQuote,
    PaywallInfo, PaywallMode, PaywallStatus, Price, PurchaseCreated, PurchaseRequest, ReaderAmount, ReceiptRequest,
    RestoreRequest, RestoreStarted, RestoredAccess, RestoredToken, StripePublicInfo,
};
use plog_widget::json;
use plog_widget::wire::{Decode, Encode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Server → widget: the decoder reads what serde wrote, whole; and with any one field left out,
/// the decoder refuses exactly when serde (the contract) would.
fn answers<T: Serialize + DeserializeOwned + Decode + PartialEq + std::fmt::Debug>(values: &[T]) {
    for value in values {
        let text = serde_json::to_string(value).unwrap();
        let decoded = T::decode(&json::parse(&text).unwrap());
        assert_eq!(decoded.as_ref(), Some(value), "{text}");
        let object = serde_json::to_value(value).unwrap();
        for key in object.as_object().unwrap().keys() {
            let mut without = object.clone();
            without.as_object_mut().unwrap().remove(key);
            let serde_reads = serde_json::from_value::<T>(without.clone()).is_ok();
            let widget_reads = T::decode(&json::parse(&without.to_string()).unwrap()).is_some();
            assert_eq!(widget_reads, serde_reads, "without `{key}`: {without}");
        }
    }
}

/// Widget → server: serde reads what the encoder wrote, whole.
fn requests<T: Encode + DeserializeOwned + PartialEq + std::fmt::Debug>(values: &[T]) {
    for value in values {
        let text = json::stringify(&value.encode());
        let read: T = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(&read, value, "{text}");
    }
}

fn price(amount: i64) -> Price {
    Price { amount, currency: "jpy".into() }
}

fn paywall(full: bool) -> PaywallInfo {
    PaywallInfo {
        id: "pw_abcdefghij0123456789".into(),
        title: "Ramen in Sapporo <b>\"quoted\"</b> 札幌".into(),
        teaser: full.then(|| "It gets better.".into()),
        price: price(300),
        status: if full { PaywallStatus::Archived } else { PaywallStatus::Active },
        stripe: StripePublicInfo {
            publishable_key: "pk_test_x".into(),
            js_url: "https://js.stripe.com/clover/stripe.js".into(),
            account: full.then(|| "acct_1Creator".into()),
        },
        sandbox: full,
        mode: if full { PaywallMode::Tip } else { PaywallMode::Fixed },
        suggested: full.then_some(500),
        maximum: full.then_some(99_999_999),
        presets: if full { vec![100, 500, 1000] } else { vec![] },
        tip_count: full.then_some(7),
        receipts: full,
        passes: if full {
            vec![
                PassOffer { id: "pass_a".into(), title: "All articles".into(), price: price(500), days: Some(30) },
                PassOffer { id: "pass_b".into(), title: "For good".into(), price: price(5000), days: None },
            ]
        } else {
            vec![]
        },
        codes: full,
    }
}

#[wasm_bindgen_test]
fn every_answer_the_server_sends_reads_back_whole_in_the_widget() {
    answers(&[paywall(true), paywall(false)]);
    for mode in [PaywallMode::Fixed, PaywallMode::PayWhatYouWant, PaywallMode::Tip] {
        answers(&[PaywallInfo { mode, ..paywall(false) }]);
    }
    answers(&[
        PaintedView {
            html: "<div class=\"paywall\">…</div>".into(),
            lang: "ja".into(),
            notice: Some("pass_ended".into()),
            paywall: paywall(true),
            unavailable: "Not available right now.".into(),
        },
        PaintedView {
            html: String::new(),
            lang: "en".into(),
            notice: None,
            paywall: paywall(false),
            unavailable: "x".into(),
        },
    ]);
    answers(&[PurchaseCreated {
        purchase_id: "pur_abcdefghij0123456789".into(),
        client_secret: "pi_1_secret_2".into(),
        access_token: "tok".into(),
        price: Price { amount: 480, currency: "jpy".into() },
    }]);
    answers(&[PaidContent { html: "<h2>The rest</h2>\n<p>€ ¥ \u{1F35C}</p>".into() }]);
    answers(&[
        DiscountQuote {
            code: "LAUNCH".into(),
            amount: Some(240),
            passes: vec![PassQuote { pass_id: "pass_a".into(), amount: 400 }],
        },
        DiscountQuote { code: "PASSONLY".into(), amount: None, passes: vec![] },
    ]);
    answers(&[GiftOpened { access_token: "gift_tok".into(), html: "<p>gift</p>".into() }]);
    answers(&[RestoreStarted { restore_id: "rst_1".into(), expires_in: 900 }]);
    answers(&[
        RestoredAccess {
            tokens: vec![
                RestoredToken { paywall_id: "pw_1".into(), access_token: "t1".into(), pass_id: None },
                RestoredToken { paywall_id: "pw_2".into(), access_token: "t2".into(), pass_id: Some("pass_a".into()) },
            ],
        },
        RestoredAccess { tokens: vec![] },
    ]);
    let errors: Vec<ErrorBody> = ErrorCode::ALL
        .iter()
        .map(|&code| ErrorBody { error: ErrorDetail { code, message: format!("{code} happened") } })
        .collect();
    answers(&errors);
}

#[wasm_bindgen_test]
fn a_code_of_a_newer_server_reads_as_unknown_not_as_a_broken_answer() {
    let body = json::parse(r#"{"error":{"code":"quota_exceeded","message":"later"}}"#).unwrap();
    assert_eq!(
        ErrorBody::decode(&body),
        Some(ErrorBody { error: ErrorDetail { code: ErrorCode::Unknown, message: "later".into() } })
    );
}

#[wasm_bindgen_test]
fn every_request_the_widget_sends_is_read_whole_by_the_server() {
    requests(&[
        PurchaseRequest::default(),
        PurchaseRequest {
            amount: Some(ReaderAmount::Whole(1500)),
            pass_id: Some("pass_a".into()),
            discount_code: Some("LAUNCH".into()),
            email: Some("reader@example.com".into()),
            page: Some("https://blog.example/post".into()),
            language: Some("ja".into()),
        },
    ]);
    requests(&[
        ReceiptRequest {
            email: "reader@example.com".into(),
            page: Some("https://blog.example/p".into()),
            language: Some("en".into()),
        },
        ReceiptRequest { email: "reader@example.com".into(), page: None, language: None },
    ]);
    requests(&[
        RestoreRequest {
            email: "a@b.example".into(),
            page: "https://blog.example/".into(),
            language: Some("ja".into()),
        },
        RestoreRequest { email: "a@b.example".into(), page: "https://blog.example/".into(), language: None },
    ]);
    requests(&[CodeRequest { code: "123456".into() }, CodeRequest { code: "\"quoted\" \\ code".into() }]);
}

/// The loader (widget/loader/plog.js), which is plain JavaScript, against the same source: every
/// field it reads of the view route's answer and of the paid part, every error code and notice it
/// names, and the storage keys it shares with the widget.
#[wasm_bindgen_test]
fn the_loader_reads_only_fields_and_codes_the_contract_has() {
    const LOADER: &str = include_str!("../loader/plog.js");
    let identifiers_after = |prefix: &str| -> Vec<String> {
        LOADER
            .match_indices(prefix)
            .map(|(at, _)| {
                LOADER[at + prefix.len()..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect()
            })
            .collect()
    };
    let keys = |value: serde_json::Value| -> Vec<String> { value.as_object().unwrap().keys().cloned().collect() };
    let view = PaintedView {
        html: String::new(),
        lang: "en".into(),
        notice: Some("pass_ended".into()),
        paywall: paywall(true),
        unavailable: String::new(),
    };
    let view_fields = identifiers_after("view.");
    assert!(view_fields.len() >= 4, "the loader reads the view: {view_fields:?}");
    for field in &view_fields {
        assert!(keys(serde_json::to_value(&view).unwrap()).contains(field), "view.{field} is not in PaintedView");
    }
    for field in identifiers_after("view.paywall.") {
        assert!(
            keys(serde_json::to_value(paywall(true)).unwrap()).contains(&field),
            "paywall.{field} is not in PaywallInfo"
        );
    }
    // `view.paywall.status !== "archived"`: a status the contract has.
    assert!(LOADER.contains(r#"status !== "archived""#));
    assert_eq!(serde_json::to_value(PaywallStatus::Archived).unwrap(), "archived");
    // The paid part's one field.
    assert!(LOADER.contains("(await response.json()).html"));
    assert!(keys(serde_json::to_value(PaidContent { html: String::new() }).unwrap()).contains(&"html".to_owned()));
    // Every code it compares is one the server sends; every notice one the widget knows.
    let codes = identifiers_after("code === \"");
    assert!(codes.len() >= 2, "{codes:?}");
    for code in codes {
        assert_ne!(
            ErrorCode::from_name(&code),
            ErrorCode::Unknown,
            "the loader names the code {code}, which no server sends"
        );
    }
    // (`let notice = "";` is none.)
    for notice in identifiers_after("notice = \"").into_iter().filter(|n| !n.is_empty()) {
        assert!(plog_widget::painted::Notice::parse(&notice).is_some(), "unknown notice {notice}");
    }
    // The storage keys: what one writes, the other reads.
    assert!(LOADER.contains(r#""plog:token:" + base + ":" + id"#));
    assert_eq!(plog_widget::storage::token_key("B", "ID"), "plog:token:B:ID");
    assert!(LOADER.contains(r#""plog:passes:" + base"#));
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    plog_widget::storage::save_pass_token("https://loader-contract.test", "tok");
    assert_eq!(storage.get_item("plog:passes:https://loader-contract.test").unwrap().as_deref(), Some("tok"));
    plog_widget::storage::forget_pass_token("https://loader-contract.test", "tok");
}

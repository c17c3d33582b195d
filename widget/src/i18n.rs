//! The widget's two languages, English and Japanese, and how one is chosen: the tag's
//! `data-lang`, else the page's `<html lang>`, else the browser's language, else English.

/// A language of the widget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// Japanese.
    Ja,
}

/// The language a BCP 47 tag names (`ja-JP` → Japanese), if the widget speaks it.
pub fn parse(tag: &str) -> Option<Lang> {
    let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    match primary.as_str() {
        "ja" => Some(Lang::Ja),
        "en" => Some(Lang::En),
        _ => None,
    }
}

/// Picks the language from the first of the sources that names a supported one.
pub fn choose(data_lang: Option<&str>, html_lang: Option<&str>, navigator_language: Option<&str>) -> Lang {
    [data_lang, html_lang, navigator_language].into_iter().flatten().find_map(parse).unwrap_or(Lang::En)
}

/// Every sentence the widget shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Texts {
    /// BCP 47 tag for `Intl` and the `lang` attribute.
    pub locale: &'static str,
    /// Shown while the paywall loads.
    pub loading: &'static str,
    /// Label of the price.
    pub price_label: &'static str,
    /// The Buy button.
    pub buy: &'static str,
    /// The line under the Buy button.
    pub pay_inline: &'static str,
    /// While Stripe.js loads and the purchase is created.
    pub preparing: &'static str,
    /// Label of the card field.
    pub card_label: &'static str,
    /// The Pay button (`{price}` is replaced).
    pub pay: &'static str,
    /// While the payment is confirmed.
    pub confirming: &'static str,
    /// After payment, while the content is fetched.
    pub unlocking: &'static str,
    /// When the content is shown.
    pub unlocked: &'static str,
    /// Payment failed without a message from Stripe.
    pub payment_failed: &'static str,
    /// Retry hint after a decline.
    pub try_again: &'static str,
    /// The paywall cannot be shown.
    pub unavailable: &'static str,
    /// The paywall no longer sells.
    pub archived: &'static str,
    /// Paid, but the content did not arrive in time.
    pub slow_unlock: &'static str,
    /// Cancel the payment form.
    pub cancel: &'static str,
    /// Sandbox badge.
    pub sandbox: &'static str,
    /// Tip mode: the button that opens the card form.
    pub tip: &'static str,
    /// Label of the amount choices.
    pub choose_amount: &'static str,
    /// Label of the reader's own amount.
    pub other_amount: &'static str,
    /// Pay what you want: the minimum, `{price}` replaced.
    pub minimum: &'static str,
    /// The amount field holds no number.
    pub amount_not_a_number: &'static str,
    /// The amount has decimals the currency does not have.
    pub amount_decimals: &'static str,
    /// The amount is below the minimum, `{price}` replaced.
    pub amount_too_low: &'static str,
    /// The amount is above the maximum, `{price}` replaced.
    pub amount_too_high: &'static str,
    /// No amount chosen yet.
    pub amount_missing: &'static str,
    /// Public tip count, `{count}` replaced.
    pub tips_so_far: &'static str,
    /// Label of the optional receipt address in the card form.
    pub email_label: &'static str,
    /// What plog does with that address.
    pub email_hint: &'static str,
    /// The address cannot be mailed to.
    pub email_invalid: &'static str,
    /// In the card form, when this browser keeps no site data: the article opens for this visit
    /// only, and a receipt address lets the reader read it again elsewhere.
    pub no_storage: &'static str,
    /// Opens the restore form on the locked paywall.
    pub restore_open: &'static str,
    /// Label of the restore form's address.
    pub restore_email: &'static str,
    /// Sends the code.
    pub restore_send: &'static str,
    /// After sending: the same words whatever the address.
    pub restore_sent: &'static str,
    /// Label of the code field.
    pub restore_code: &'static str,
    /// Exchanges the code.
    pub restore_unlock: &'static str,
    /// The code was refused.
    pub restore_refused: &'static str,
    /// The code worked but opened nothing on this page.
    pub restore_nothing: &'static str,
    /// Too many requests, or the server could not be reached.
    pub restore_unavailable: &'static str,
    /// A pass on offer: `{title}`, `{price}` and `{days}` replaced.
    pub pass_days: &'static str,
    /// A pass for good: `{title}` and `{price}` replaced.
    pub pass_for_good: &'static str,
    /// The reader's pass has ended.
    pub pass_ended: &'static str,
    /// Opens the discount code field.
    pub code_open: &'static str,
    /// Label of the discount code field.
    pub code_label: &'static str,
    /// Applies the code.
    pub code_apply: &'static str,
    /// The code lowered the price: `{code}` replaced.
    pub code_applied: &'static str,
    /// No such code.
    pub code_unknown: &'static str,
    /// The code is not valid now.
    pub code_expired: &'static str,
    /// The code is used up.
    pub code_used_up: &'static str,
    /// The code does not apply here.
    pub code_not_here: &'static str,
    /// Too many codes tried from this network.
    pub code_wait: &'static str,
    /// A gift link was withdrawn.
    pub gift_revoked: &'static str,
    /// A gift link expired.
    pub gift_expired: &'static str,
    /// A gift link was opened as often as it allows.
    pub gift_used_up: &'static str,
    /// A tip jar without a thank-you of the creator's.
    pub thank_you: &'static str,
    /// Between the wallet buttons and the card form.
    pub or_card: &'static str,
    /// The server priced the purchase otherwise than the wallet's sheet showed: nothing charged.
    pub wallet_amount_changed: &'static str,
    /// After a wallet payment: the address the wallet shared, offered for a receipt.
    pub receipt_offer: &'static str,
    /// Sends the offered receipt.
    pub send_receipt: &'static str,
    /// Declines the offered receipt.
    pub no_thanks: &'static str,
}

const EN: Texts = Texts {
    locale: "en",
    loading: "Loading…",
    price_label: "Price",
    buy: "Buy to read on",
    pay_inline: "Pay by card, right here. No account needed.",
    preparing: "Preparing the secure card form…",
    card_label: "Card details",
    pay: "Pay {price}",
    confirming: "Confirming your payment…",
    unlocking: "Payment received. Unlocking…",
    unlocked: "Unlocked. Enjoy the rest of the article.",
    payment_failed: "The payment did not go through.",
    try_again: "Check the card details and try again.",
    unavailable: "This paid section is not available right now. Please try again later.",
    archived: "This article is no longer for sale.",
    slow_unlock: "Your payment went through, but unlocking is taking longer than usual. Reload the page in a moment.",
    cancel: "Cancel",
    sandbox: "sandbox — no real money",
    tip: "Send a tip",
    choose_amount: "Choose an amount",
    other_amount: "Other amount",
    minimum: "Pay what you want — at least {price}",
    amount_not_a_number: "Enter an amount in digits, like 1,000.",
    amount_decimals: "This currency takes no more decimals than that.",
    amount_too_low: "The minimum is {price}.",
    amount_too_high: "The maximum is {price}.",
    amount_missing: "Choose or enter an amount first.",
    tips_so_far: "{count} tips so far — thank you!",
    email_label: "Email me a receipt and a link to read this on any device (optional)",
    email_hint: "Once the receipt is sent, plog keeps no copy of your address.",
    email_invalid: "Enter an address like reader@example.com, or leave it empty.",
    no_storage: "This browser keeps no data for this site: the article stays open for this visit only. Leave your address for a receipt to read it again later, on any device.",
    restore_open: "Already bought? Restore access",
    restore_email: "The email address you paid with",
    restore_send: "Email me a code",
    restore_sent: "If this address bought something here, a 6-digit code is on its way (valid 15 minutes): type it here.",
    restore_code: "Code from the email",
    restore_unlock: "Restore access",
    restore_refused: "That code did not work: it may be mistyped, used or expired. Ask for a new one.",
    restore_nothing: "Access restored, but nothing on this page was bought with that address.",
    restore_unavailable: "Restoring is not possible right now. Please try again in a while.",
    pass_days: "{title}: {price} for {days} days",
    pass_for_good: "{title}: {price}",
    pass_ended: "Your pass has ended. Renew it to read on.",
    code_open: "Have a code?",
    code_label: "Discount code",
    code_apply: "Apply",
    code_applied: "Code {code} applied.",
    code_unknown: "This code is not valid.",
    code_expired: "This code is not valid at the moment.",
    code_used_up: "This code has been used up.",
    code_not_here: "This code does not apply to this article.",
    code_wait: "Too many codes tried. Please wait a minute and try again.",
    gift_revoked: "This gift link was withdrawn by the author.",
    gift_expired: "This gift link has expired.",
    gift_used_up: "This gift link has already been used.",
    thank_you: "Thank you for your support!",
    or_card: "or pay by card",
    wallet_amount_changed: "The price changed before the payment: nothing was charged. Check the price and try again.",
    receipt_offer: "Paid — the rest of the article is below. Send a receipt to this address?",
    send_receipt: "Send receipt",
    no_thanks: "No thanks",
};

const JA: Texts = Texts {
    locale: "ja",
    loading: "読み込み中…",
    price_label: "価格",
    buy: "購入して続きを読む",
    pay_inline: "このページでカード決済。アカウント登録は不要です。",
    preparing: "安全なカード入力欄を準備しています…",
    card_label: "カード情報",
    pay: "{price} を支払う",
    confirming: "決済を確認しています…",
    unlocking: "お支払いを受け付けました。表示しています…",
    unlocked: "購入済みです。続きをお楽しみください。",
    payment_failed: "決済できませんでした。",
    try_again: "カード情報を確認して、もう一度お試しください。",
    unavailable: "現在この有料部分を表示できません。しばらくしてからもう一度お試しください。",
    archived: "この記事は販売を終了しました。",
    slow_unlock: "お支払いは完了しましたが、表示に時間がかかっています。少ししてからページを再読み込みしてください。",
    cancel: "キャンセル",
    sandbox: "サンドボックス — 実際の請求はありません",
    tip: "投げ銭する",
    choose_amount: "金額を選ぶ",
    other_amount: "その他の金額",
    minimum: "お好きな金額で（{price} 以上）",
    amount_not_a_number: "金額を数字で入力してください（例：1,000）。",
    amount_decimals: "この通貨ではその桁の小数は使えません。",
    amount_too_low: "{price} 以上で入力してください。",
    amount_too_high: "{price} 以下で入力してください。",
    amount_missing: "先に金額を選ぶか入力してください。",
    tips_so_far: "これまでに {count} 件の投げ銭をいただきました。",
    email_label: "領収書と、どの端末でも読めるリンクをメールで受け取る（任意）",
    email_hint: "領収書の送信後、plog はメールアドレスを保存しません。",
    email_invalid: "reader@example.com のようなアドレスを入力するか、空欄のままにしてください。",
    no_storage: "このブラウザはこのサイトのデータを保存しないため、記事はこの訪問の間だけ表示されます。後で別の端末でも読むには、領収書用のメールアドレスを入力してください。",
    restore_open: "購入済みの方：アクセスを復元",
    restore_email: "お支払いに使ったメールアドレス",
    restore_send: "コードをメールで受け取る",
    restore_sent: "このアドレスでの購入があれば、6 桁のコードをお送りしました（有効期限 15 分）。ここに入力してください。",
    restore_code: "メールに記載のコード",
    restore_unlock: "アクセスを復元",
    restore_refused: "コードが正しくないか、使用済みか、期限切れです。もう一度コードを受け取ってください。",
    restore_nothing: "復元しましたが、このページにそのアドレスで購入したものはありません。",
    restore_unavailable: "現在は復元できません。しばらくしてからもう一度お試しください。",
    pass_days: "{title}：{days} 日間 {price}",
    pass_for_good: "{title}：{price}",
    pass_ended: "パスの有効期限が切れました。更新すると続きを読めます。",
    code_open: "クーポンコードをお持ちの方",
    code_label: "クーポンコード",
    code_apply: "適用",
    code_applied: "コード {code} を適用しました。",
    code_unknown: "このコードは無効です。",
    code_expired: "このコードは現在使えません。",
    code_used_up: "このコードは利用上限に達しました。",
    code_not_here: "このコードはこの記事には使えません。",
    code_wait: "コードの入力回数が多すぎます。1 分ほど待ってからもう一度お試しください。",
    gift_revoked: "このギフトリンクは著者により取り消されました。",
    gift_expired: "このギフトリンクは有効期限切れです。",
    gift_used_up: "このギフトリンクは使用済みです。",
    thank_you: "ご支援ありがとうございます！",
    or_card: "またはカードで支払う",
    wallet_amount_changed: "支払いの前に価格が変わりました。請求はされていません。価格を確認して、もう一度お試しください。",
    receipt_offer: "お支払いが完了しました。続きは下にあります。このアドレスに領収書を送りますか？",
    send_receipt: "領収書を送る",
    no_thanks: "送らない",
};

impl Lang {
    /// The texts of this language.
    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::En => &EN,
            Lang::Ja => &JA,
        }
    }
}

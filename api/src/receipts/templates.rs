//! What plog's mails say: the receipt (a thank-you for tips) and the restore code, each as
//! plain text and HTML, in English or Japanese (the reader's widget language).

use maud::html;
use plog_shared::Money;
use plog_shared::money::format_major;

/// A mail's words: subject, plain text, HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// Subject line.
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part.
    pub html: String,
}

/// The languages mails are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// English.
    En,
    /// Japanese.
    Ja,
}

impl Language {
    /// The language of a widget's tag (`ja`, `ja-JP` → Japanese; anything else English).
    pub fn of(tag: &str) -> Language {
        if tag.to_ascii_lowercase().starts_with("ja") { Language::Ja } else { Language::En }
    }

    /// The tag stored with a mail.
    pub fn tag(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Ja => "ja",
        }
    }
}

/// An amount as the currency writes it: `¥1,000`, `$2.50`, `€2.50`, `£2.50`, else `2.50 SEK`.
pub fn amount(money: Money) -> String {
    let major = format_major(money.amount(), money.currency());
    let (whole, fraction) = major.split_once('.').map_or((major.as_str(), None), |(w, f)| (w, Some(f)));
    let digits: Vec<char> = whole.chars().collect();
    let mut grouped = String::new();
    for (i, digit) in digits.iter().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(*digit);
    }
    let number = match fraction {
        Some(fraction) => format!("{grouped}.{fraction}"),
        None => grouped,
    };
    match money.currency().code() {
        "jpy" => format!("¥{number}"),
        "usd" => format!("${number}"),
        "eur" => format!("€{number}"),
        "gbp" => format!("£{number}"),
        code => format!("{number} {}", code.to_ascii_uppercase()),
    }
}

/// What a receipt is about.
#[derive(Debug, Clone)]
pub struct Receipt<'a> {
    /// The paywall's title.
    pub title: &'a str,
    /// What was paid.
    pub paid: Money,
    /// A tip rather than a purchase.
    pub tip: bool,
    /// When, as `YYYY-MM-DD HH:MM UTC`.
    pub date: &'a str,
    /// The article's page, if the widget said.
    pub page_url: Option<&'a str>,
}

/// The receipt.
pub fn receipt(language: Language, r: &Receipt<'_>) -> Written {
    let paid = amount(r.paid);
    let (subject, thanks, restore) = match (language, r.tip) {
        (Language::En, false) => (
            format!("Your receipt: {}", r.title),
            format!("Thank you for buying “{}”.", r.title),
            "To read it on another device or browser, open the article and choose “Already bought? Restore access”: \
             we mail a one-time code to this address.",
        ),
        (Language::En, true) => (
            format!("Thank you for your tip: {}", r.title),
            format!("Thank you for your tip for “{}”.", r.title),
            "The thank-you note stays available: open the article and choose “Already bought? Restore access”.",
        ),
        (Language::Ja, false) => (
            format!("領収書：{}", r.title),
            format!("「{}」をお買い上げいただき、ありがとうございます。", r.title),
            "別の端末やブラウザで読むには、記事を開いて「購入済みの方：アクセスを復元」を選んでください。このアドレスにワンタイムコードをお送りします。",
        ),
        (Language::Ja, true) => (
            format!("投げ銭のお礼：{}", r.title),
            format!("「{}」への投げ銭、ありがとうございます。", r.title),
            "お礼のメッセージは、記事を開いて「購入済みの方：アクセスを復元」からいつでも読めます。",
        ),
    };
    let (amount_label, date_label, article_label, footer) = match language {
        Language::En => (
            "Amount",
            "Date",
            "Article",
            "Paid by card through Stripe. plog keeps no copy of your address, only a keyed hash to find your purchases when you restore.",
        ),
        Language::Ja => (
            "金額",
            "日時",
            "記事",
            "Stripe を通じてカードでお支払いいただきました。plog はメールアドレスを保存せず、復元のための鍵付きハッシュだけを保持します。",
        ),
    };
    let mut text = format!("{thanks}\n\n{amount_label}: {paid}\n{date_label}: {}\n", r.date);
    if let Some(url) = r.page_url {
        text += &format!("{article_label}: {url}\n");
    }
    text += &format!("\n{restore}\n\n{footer}\n");
    let html = html! {
        p { (thanks) }
        table {
            tr { th align="left" { (amount_label) } td { (paid) } }
            tr { th align="left" { (date_label) } td { (r.date) } }
            @if let Some(url) = r.page_url {
                tr { th align="left" { (article_label) } td { a href=(url) { (url) } } }
            }
        }
        p { (restore) }
        p style="color:#666;font-size:small" { (footer) }
    }
    .into_string();
    Written { subject, text, html }
}

/// The restore mail: the code and a link that carries it.
pub fn restore_code(language: Language, code: &str, link: Option<&str>, minutes: i64) -> Written {
    let (subject, intro, or_link, ignore) = match language {
        Language::En => (
            format!("Your code to restore access: {code}"),
            format!("Type this code where you asked to restore access (valid {minutes} minutes, once):"),
            "Or open this link on the device where you want to read:",
            "If you did not ask for it, ignore this mail: nothing happens without the code.",
        ),
        Language::Ja => (
            format!("アクセス復元コード：{code}"),
            format!("復元を依頼した画面でこのコードを入力してください（有効期限 {minutes} 分、1 回限り）："),
            "または、読みたい端末でこのリンクを開いてください：",
            "心当たりがない場合は、このメールを無視してください。コードがなければ何も起こりません。",
        ),
    };
    let text = match link {
        Some(link) => format!("{intro}\n\n    {code}\n\n{or_link}\n{link}\n\n{ignore}\n"),
        None => format!("{intro}\n\n    {code}\n\n{ignore}\n"),
    };
    let html = html! {
        p { (intro) }
        p style="font-size:28px;letter-spacing:4px;font-family:monospace" { strong { (code) } }
        @if let Some(link) = link {
            p { (or_link) br; a href=(link) { (link) } }
        }
        p style="color:#666;font-size:small" { (ignore) }
    }
    .into_string();
    Written { subject, text, html }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_written_as_their_currency_writes_them() {
        assert_eq!(amount(Money::parse(1000, "jpy").unwrap()), "¥1,000");
        assert_eq!(amount(Money::parse(250, "usd").unwrap()), "$2.50");
        assert_eq!(amount(Money::parse(9_999_999, "usd").unwrap()), "$99,999.99");
        assert_eq!(amount(Money::parse(300, "sek").unwrap()), "3.00 SEK");
    }

    #[test]
    fn tips_get_a_thank_you_in_either_language() {
        let r =
            Receipt { title: "Ramen", paid: Money::parse(500, "jpy").unwrap(), tip: true, date: "d", page_url: None };
        let en = receipt(Language::En, &r);
        assert_eq!(en.subject, "Thank you for your tip: Ramen");
        assert!(en.text.contains("¥500") && !en.text.contains("Article"), "{}", en.text);
        let ja = receipt(Language::Ja, &r);
        assert_eq!(ja.subject, "投げ銭のお礼：Ramen");
        assert_eq!(Language::of("ja-JP"), Language::Ja);
        assert_eq!(Language::of("fr"), Language::En);
    }

    #[test]
    fn a_title_cannot_inject_markup_into_the_html_part() {
        let r = Receipt {
            title: "<script>x</script>",
            paid: Money::parse(300, "jpy").unwrap(),
            tip: false,
            date: "2026-12-01 10:00 UTC",
            page_url: Some("https://blog.example/a?x=\"y\""),
        };
        let written = receipt(Language::En, &r);
        assert!(!written.html.contains("<script>"), "{}", written.html);
        assert!(written.text.contains("<script>x</script>"), "plain text keeps the title as written");
    }
}

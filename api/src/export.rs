//! Purchases as CSV, for spreadsheets and accountants: the same columns from `plog purchases list
//! --format csv` and the dashboard's export. Times are UTC (RFC 3339); amounts are given both in
//! major units as the currency writes them (`1.50`, `100`) and in integer minor units.

use std::collections::HashMap;
use std::time::{Duration, UNIX_EPOCH};

use plog_shared::Currency;
use plog_shared::api::AdminPurchase;
use plog_shared::money::format_major;

/// The header row.
pub const COLUMNS: [&str; 14] = [
    "created_at",
    "paid_at",
    "purchase_id",
    "paywall_id",
    "paywall_title",
    "status",
    "mode",
    "amount",
    "currency",
    "amount_minor",
    "payment_intent_id",
    "refunded_minor",
    "dispute_status",
    "receipt",
];

/// `2026-11-26T08:00:00Z` of Unix seconds.
pub fn utc_time(seconds: i64) -> String {
    humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(seconds.max(0) as u64)).to_string()
}

/// Writes the purchases, with the titles of their paywalls, as CSV.
pub fn purchases_csv(purchases: &[AdminPurchase], titles: &HashMap<String, String>) -> anyhow::Result<Vec<u8>> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(COLUMNS)?;
    for p in purchases {
        let major = Currency::parse(&p.price.currency)
            .map(|c| format_major(p.price.amount, c))
            .unwrap_or_else(|_| p.price.amount.to_string());
        out.write_record([
            utc_time(p.created_at),
            p.paid_at.map(utc_time).unwrap_or_default(),
            p.id.clone(),
            p.paywall_id.clone(),
            titles.get(&p.paywall_id).cloned().unwrap_or_default(),
            p.status.as_str().to_owned(),
            p.mode.as_str().to_owned(),
            major,
            p.price.currency.to_uppercase(),
            p.price.amount.to_string(),
            p.payment_intent_id.clone(),
            p.refunded_amount.to_string(),
            p.dispute_status.as_ref().map(|d| d.as_str().to_owned()).unwrap_or_default(),
            p.receipt.map(|r| r.as_str().to_owned()).unwrap_or_default(),
        ])?;
    }
    Ok(out.into_inner()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use plog_shared::api::{PaywallMode, Price, PurchaseStatus};

    #[test]
    fn rows_quote_what_needs_it_and_carry_both_amounts() {
        let purchase = AdminPurchase {
            id: "pu_1".into(),
            paywall_id: "pw_1".into(),
            payment_intent_id: "pi_1".into(),
            status: PurchaseStatus::Paid,
            price: Price { amount: 150, currency: "usd".into() },
            last_error: None,
            created_at: 1_795_651_200,
            paid_at: Some(1_795_651_260),
            mode: PaywallMode::Fixed,
            receipt: None,
            refunded_amount: 0,
            dispute_status: None,
        };
        let titles = HashMap::from([("pw_1".to_owned(), "Ramen, \"the\" guide".to_owned())]);
        let text = String::from_utf8(purchases_csv(&[purchase], &titles).unwrap()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], COLUMNS.join(","));
        assert_eq!(
            lines[1],
            "2026-11-26T00:00:00Z,2026-11-26T00:01:00Z,pu_1,pw_1,\"Ramen, \"\"the\"\" guide\",paid,fixed,1.50,USD,150,pi_1,0,,"
        );
    }
}

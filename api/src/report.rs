//! The creator's report (`GET /v1/admin/stats`, `plog stats`, the dashboard's overview): paywall
//! views, purchases started and paid, per currency, per day and per paywall, for a period and a
//! site. The store groups; this module filters by site and rolls up, keeping every currency apart.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, UNIX_EPOCH};

use plog_shared::PaywallId;
use plog_shared::api::{Conversion, CurrencyStats, DayStats, PaywallStats, RestoreDay, Stats};

use crate::sites;
use crate::store::{DAY_SECS, Paywall, PaywallTotals, Store};

/// What a report covers.
#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    /// Start of the period, Unix seconds; `None`: everything.
    pub since: Option<i64>,
    /// Only paywalls that list this (canonical) origin.
    pub site: Option<String>,
}

/// Builds the report.
pub async fn build(store: &Store, filter: &ReportFilter) -> anyhow::Result<Stats> {
    build_for(store, &store.paywalls().await?, filter).await
}

/// Builds the report of these paywalls (all of the store's: for a caller that has them already).
pub async fn build_for(store: &Store, paywalls: &[Paywall], filter: &ReportFilter) -> anyhow::Result<Stats> {
    let since = filter.since.unwrap_or(0).max(0);
    let sites: BTreeSet<String> = paywalls.iter().flat_map(|p| sites::origin_list(&p.origins)).collect();
    let chosen: Vec<_> = paywalls
        .iter()
        .filter(|p| filter.site.as_ref().is_none_or(|site| sites::origin_list(&p.origins).contains(site)))
        .collect();
    let in_report: HashMap<&PaywallId, usize> = chosen.iter().enumerate().map(|(i, p)| (&p.id, i)).collect();

    let views: HashMap<PaywallId, i64> = store.views_per_paywall(since).await?.into_iter().collect();
    let totals: Vec<PaywallTotals> = store
        .totals_per_paywall(since)
        .await?
        .into_iter()
        .filter(|t| in_report.contains_key(&t.paywall_id))
        // A currency with nothing in the period is left out.
        .filter(|t| t.started + t.paid_count + t.refunded_count + t.disputed_count + t.tip_count + t.pass_count > 0)
        .collect();

    let mut by_currency: BTreeMap<String, CurrencyStats> = BTreeMap::new();
    let mut per_paywall: Vec<Vec<CurrencyStats>> = vec![Vec::new(); chosen.len()];
    let mut started: Vec<i64> = vec![0; chosen.len()];
    for t in &totals {
        let figures = CurrencyStats {
            currency: t.currency.code().to_owned(),
            paid_count: t.paid_count,
            revenue: t.revenue,
            refunded_count: t.refunded_count,
            disputed_count: t.disputed_count,
            refunded_amount: t.refunded_amount,
            tip_count: t.tip_count,
            tip_revenue: t.tip_revenue,
            pass_count: t.pass_count,
            pass_revenue: t.pass_revenue,
        };
        let currency = t.currency.code().to_owned();
        add(by_currency.entry(currency.clone()).or_insert_with(|| empty(&currency)), &figures);
        let i = in_report[&t.paywall_id];
        started[i] += t.started;
        per_paywall[i].push(figures);
    }

    let mut by_day: BTreeMap<(i64, String), DayStats> = BTreeMap::new();
    for d in store.takings_per_day(since).await?.into_iter().filter(|d| in_report.contains_key(&d.paywall_id)) {
        let day = by_day.entry((d.day, d.currency.code().to_owned())).or_insert_with(|| DayStats {
            day: day_text(d.day),
            currency: d.currency.code().to_owned(),
            paid_count: 0,
            revenue: 0,
            tip_count: 0,
            tip_revenue: 0,
        });
        day.paid_count += d.paid_count;
        day.revenue += d.revenue;
        day.tip_count += d.tip_count;
        day.tip_revenue += d.tip_revenue;
    }

    let gifts: HashMap<PaywallId, (i64, i64)> =
        store.gift_figures(since).await?.into_iter().map(|(paywall, opens, paid)| (paywall, (opens, paid))).collect();
    let mut by_paywall: Vec<PaywallStats> = chosen
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut figures = std::mem::take(&mut per_paywall[i]);
            figures.sort_by(|a, b| a.currency.cmp(&b.currency));
            PaywallStats {
                paywall_id: p.id.to_string(),
                title: p.title.clone(),
                status: p.status,
                views: views.get(&p.id).copied().unwrap_or(0),
                started: started[i],
                by_currency: figures,
                gift_opens: gifts.get(&p.id).map_or(0, |g| g.0),
                paid_after_gifts: gifts.get(&p.id).map_or(0, |g| g.1),
            }
        })
        .collect();
    let paid = |p: &PaywallStats| p.by_currency.iter().map(|c| c.paid_count + c.tip_count + c.pass_count).sum::<i64>();
    // Best-selling first; the order of the paywall list (newest first) breaks ties.
    by_paywall.sort_by_key(|p| std::cmp::Reverse(paid(p)));

    let conversion = Conversion {
        views: by_paywall.iter().map(|p| p.views).sum(),
        started: by_paywall.iter().map(|p| p.started).sum(),
        paid: by_paywall.iter().map(paid).sum(),
    };
    Ok(Stats {
        paywalls: chosen.len() as i64,
        purchases_started: conversion.started,
        by_currency: by_currency.into_values().collect(),
        since: filter.since,
        site: filter.site.clone(),
        sites: sites.into_iter().collect(),
        conversion,
        by_day: by_day.into_values().collect(),
        by_paywall,
        restores_by_day: store
            .restores_per_day(since, filter.site.as_deref())
            .await?
            .into_iter()
            .map(|(day, restores)| RestoreDay { day: day_text(day), restores })
            .collect(),
    })
}

fn empty(currency: &str) -> CurrencyStats {
    CurrencyStats {
        currency: currency.to_owned(),
        paid_count: 0,
        revenue: 0,
        refunded_count: 0,
        disputed_count: 0,
        refunded_amount: 0,
        tip_count: 0,
        tip_revenue: 0,
        pass_count: 0,
        pass_revenue: 0,
    }
}

fn add(sum: &mut CurrencyStats, more: &CurrencyStats) {
    sum.paid_count += more.paid_count;
    sum.revenue += more.revenue;
    sum.refunded_count += more.refunded_count;
    sum.disputed_count += more.disputed_count;
    sum.refunded_amount += more.refunded_amount;
    sum.tip_count += more.tip_count;
    sum.tip_revenue += more.tip_revenue;
    sum.pass_count += more.pass_count;
    sum.pass_revenue += more.pass_revenue;
}

/// Part of a whole as a percentage with one decimal (`"12.5 %"`); `None` when the whole is
/// zero (the dashboard and the CLI each write their own "nothing to divide by").
pub fn percent(part: i64, whole: i64) -> Option<String> {
    (whole != 0).then(|| format!("{:.1} %", part as f64 * 100.0 / whole as f64))
}

/// `YYYY-MM-DD` of a day number (days since 1970-01-01, UTC).
pub fn day_text(day: i64) -> String {
    let at = UNIX_EPOCH + Duration::from_secs((day.max(0) * DAY_SECS) as u64);
    humantime::format_rfc3339_seconds(at).to_string()[..10].to_owned()
}

/// Midnight UTC of a date like `2026-11-01`, in Unix seconds.
pub fn parse_day(text: &str) -> Result<i64, String> {
    let text = text.trim();
    let is_date = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    is_date
        .then(|| humantime::parse_rfc3339(&format!("{text}T00:00:00Z")).ok())
        .flatten()
        .map(|at| at.duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0))
        .ok_or_else(|| format!("{text:?} is not a date like 2026-11-01"))
}

/// Reads the start of a period: a date (`2026-11-01`, midnight UTC), a span back from `now`
/// (`7d`, `24h`, `30days`), or Unix seconds.
pub fn parse_since(text: &str, now: i64) -> Result<i64, String> {
    parse_moment(text, now, -1, "a span back (7d, 24h)")
}

/// Reads a moment ahead (an expiry, the end of a code): a date (midnight UTC), a span from `now`
/// (`7d`, `48h`), or Unix seconds.
pub fn parse_until(text: &str, now: i64) -> Result<i64, String> {
    parse_moment(text, now, 1, "a span from now (7d, 48h)")
}

/// A date, Unix seconds, or a span from `now` in the direction of `sign`.
fn parse_moment(text: &str, now: i64, sign: i64, span: &str) -> Result<i64, String> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<i64>() {
        return Ok(seconds);
    }
    if let Ok(at) = parse_day(text) {
        return Ok(at);
    }
    match humantime::parse_duration(text) {
        Ok(length) => Ok(now + sign * length.as_secs() as i64),
        Err(_) => Err(format!("{text:?} is not a date (2026-11-01), {span} or Unix seconds")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_utc_dates() {
        assert_eq!(day_text(0), "1970-01-01");
        assert_eq!(day_text(20_418), "2025-11-26");
        assert_eq!(day_text(1_795_651_200 / DAY_SECS), "2026-11-26");
    }

    #[test]
    fn a_period_starts_at_a_date_a_span_back_or_a_unix_time() {
        let now = 1_795_700_000;
        assert_eq!(parse_since("2026-11-26", now), Ok(1_795_651_200));
        assert_eq!(parse_since("7d", now), Ok(now - 7 * DAY_SECS));
        assert_eq!(parse_since("24h", now), Ok(now - DAY_SECS));
        assert_eq!(parse_since("1700000000", now), Ok(1_700_000_000));
        assert!(parse_since("last tuesday", now).unwrap_err().contains("not a date"));
        assert!(parse_since("2026-13-01", now).is_err());
        assert_eq!(parse_day("2026-11-26"), Ok(1_795_651_200));
        assert!(parse_day("1795651200").is_err(), "a date, not seconds");
        assert_eq!(parse_until("7d", now), Ok(now + 7 * DAY_SECS));
        assert_eq!(parse_until("2026-11-26", now), Ok(1_795_651_200));
        assert!(parse_until("soon", now).unwrap_err().contains("a span from now"));
    }
}

//! The card-testing limits on starting purchases (see `limits::purchases`), the limit on the
//! views beacon (`limits::views`), and the [`Rate`] they are written in.

use std::time::Duration;

use clap::Args;

/// Rate limits on starting purchases (card testing).
#[derive(Debug, Clone, Args)]
pub struct PurchaseLimitsConfig {
    /// Purchases one client IP may start, e.g. `10/min`, `100/hour`, or `off`.
    #[arg(long = "rate-per-ip", env = "PLOG_RATE_PER_IP", default_value = "10/min")]
    pub rate_per_ip: Rate,
    /// Purchases one paywall may see started, from all clients together, e.g. `600/min` or `off`.
    #[arg(long = "rate-per-paywall", env = "PLOG_RATE_PER_PAYWALL", default_value = "600/min")]
    pub rate_per_paywall: Rate,
    /// Purchases one creator's paywalls may see started together, counted as the paywall's
    /// rate counts, e.g. `1200/min` or `off`.
    #[arg(long = "rate-per-creator", env = "PLOG_RATE_PER_CREATOR", default_value = "1200/min")]
    pub rate_per_creator: Rate,
    /// Unpaid (pending or declined) purchases one client IP may hold from the last hour; 0: no cap.
    #[arg(long = "rate-max-pending-per-ip", env = "PLOG_RATE_MAX_PENDING_PER_IP", default_value_t = 20)]
    pub max_pending_per_ip: u32,
}

/// The per-address limits on the views beacon (`POST /v1/paywalls/{id}/views`), so one address
/// cannot inflate a paywall's view count, and on codes tried (discounts, gift links), so none is
/// found by trying them all.
#[derive(Debug, Clone, Args)]
pub struct AddressLimitsConfig {
    /// Views one client address may report, all paywalls together, e.g. `60/min` or `off`.
    #[arg(long = "rate-views-per-ip", env = "PLOG_RATE_VIEWS_PER_IP", default_value = "60/min")]
    pub views_per_ip: Rate,
    /// Discount codes and gift links one client address may try, e.g. `10/min` or `off`.
    #[arg(long = "rate-codes-per-ip", env = "PLOG_RATE_CODES_PER_IP", default_value = "10/min")]
    pub codes_per_ip: Rate,
    /// Reads of Stripe one client address may cause through content requests for pending
    /// purchases (a late webhook), e.g. `30/min` or `off`; beyond it the database answers.
    #[arg(long = "rate-stripe-reads-per-ip", env = "PLOG_RATE_STRIPE_READS_PER_IP", default_value = "30/min")]
    pub stripe_reads_per_ip: Rate,
}

/// A rate: `N/s`, `N/min`, `N/hour`, `N/day`, or `off`. `N` requests may come at once; after
/// that they are let through evenly, one every period/N.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rate {
    /// No limit.
    Off,
    /// At most `count` per `period`.
    Limit {
        /// Requests per period (and the burst).
        count: std::num::NonZeroU32,
        /// The period.
        period: Duration,
    },
}

impl std::str::FromStr for Rate {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("off") {
            return Ok(Rate::Off);
        }
        let usage = || format!("{text:?} is not a rate: write N/s, N/min, N/hour, N/day or off");
        let (count, unit) = text.split_once('/').ok_or_else(usage)?;
        let count: std::num::NonZeroU32 = count.trim().parse().map_err(|_| usage())?;
        let seconds = match unit.trim() {
            "s" | "sec" | "second" => 1,
            "m" | "min" | "minute" => 60,
            "h" | "hour" => 3600,
            "d" | "day" => 86_400,
            _ => return Err(usage()),
        };
        Ok(Rate::Limit { count, period: Duration::from_secs(seconds) })
    }
}

impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rate::Off => f.write_str("off"),
            Rate::Limit { count, period } => match period.as_secs() {
                1 => write!(f, "{count}/s"),
                60 => write!(f, "{count}/min"),
                3600 => write!(f, "{count}/hour"),
                _ => write!(f, "{count}/day"),
            },
        }
    }
}

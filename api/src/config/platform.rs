//! Platform mode: one plog for many creators (Stripe Connect). Off, plog is standalone — one
//! owner, the owner's Stripe keys — exactly as before. On, the Stripe keys are the platform's:
//! creators sign up by e-mail, connect their own Stripe accounts, and their readers pay those
//! accounts directly (the operator holds no one's money); the operator may take a fee.

use clap::Args;

/// The operator's fee on each sale, in hundredths of a percent (250 is 2.5 %).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeeRate(u32);

/// The highest fee accepted: half of every sale. A fee is the operator's share, not the sale.
pub const MAX_FEE_BASIS_POINTS: u32 = 5_000;

impl FeeRate {
    /// Hundredths of a percent.
    pub fn basis_points(self) -> u32 {
        self.0
    }

    /// Parses `5%`, `2.5%` or `5` (percent, at most two decimals, above 0 and at most 50).
    pub fn parse(raw: &str) -> Result<FeeRate, String> {
        let text = raw.trim().trim_end_matches('%').trim();
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || !(fraction.is_empty() || (digits(fraction) && fraction.len() <= 2)) {
            return Err(format!("{raw:?}: write a percentage like 5% or 2.5%"));
        }
        let whole: u32 = whole.parse().map_err(|_| format!("{raw:?}: too large"))?;
        let fraction: u32 = format!("{fraction:0<2}").parse().unwrap_or(0);
        let basis_points = whole.checked_mul(100).and_then(|w| w.checked_add(fraction)).unwrap_or(u32::MAX);
        if basis_points == 0 || basis_points > MAX_FEE_BASIS_POINTS {
            return Err(format!("{raw:?}: the fee must be above 0 % and at most 50 % (leave it unset for none)"));
        }
        Ok(FeeRate(basis_points))
    }

    /// The fee on a sale of `amount` minor units whose currency's smallest charge is
    /// `minimum`: rounded down (in the creator's favour), and never so large that the creator
    /// is left less than that smallest charge — so it is never above the amount either.
    pub fn fee_on(self, amount: i64, minimum: i64) -> i64 {
        let fee = i128::from(amount) * i128::from(self.0) / 10_000;
        let fee = i64::try_from(fee).unwrap_or(i64::MAX);
        fee.min(amount - minimum).max(0)
    }
}

impl std::fmt::Display for FeeRate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 % 100 {
            0 => write!(f, "{} %", self.0 / 100),
            cents => write!(f, "{}.{:02} %", self.0 / 100, cents),
        }
    }
}

/// Platform settings.
#[derive(Debug, Clone, Args)]
pub struct PlatformConfig {
    /// Run for many creators: each signs up by e-mail, connects their own Stripe account and is
    /// paid directly (Stripe Connect); the Stripe keys are the platform's. Unset: one owner.
    #[arg(long = "platform", env = "PLOG_PLATFORM")]
    pub enabled: bool,
    /// The operator's fee on each sale (`5%`, `2.5%`), taken by Stripe from the creator's
    /// payment for the platform; unset: none.
    #[arg(long = "platform-fee", env = "PLOG_PLATFORM_FEE", value_parser = FeeRate::parse)]
    pub fee: Option<FeeRate>,
    /// Only addresses the operator invited (`plog creator add`) may sign up.
    #[arg(long = "platform-invite-only", env = "PLOG_PLATFORM_INVITE_ONLY")]
    pub invite_only: bool,
    /// Changes one creator may make through the admin API and the dashboard, e.g. `120/min` or
    /// `off` (the operator's token is never limited).
    #[arg(long = "rate-writes-per-creator", env = "PLOG_RATE_WRITES_PER_CREATOR", default_value = "120/min")]
    pub writes_per_creator: super::Rate,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fee_is_a_percentage_above_nothing_and_at_most_half() {
        assert_eq!(FeeRate::parse("5%").unwrap().basis_points(), 500);
        assert_eq!(FeeRate::parse(" 2.5 % ").unwrap().basis_points(), 250);
        assert_eq!(FeeRate::parse("0.05").unwrap().basis_points(), 5);
        assert_eq!(FeeRate::parse("50").unwrap().to_string(), "50 %");
        assert_eq!(FeeRate::parse("2.5%").unwrap().to_string(), "2.50 %");
        for refused in ["0", "0%", "50.01", "-1", "5.555", "five", "", "1e2", "99999999999"] {
            assert!(FeeRate::parse(refused).is_err(), "{refused:?} was accepted");
        }
    }

    #[test]
    fn the_fee_rounds_down_and_never_leaves_the_creator_below_the_smallest_charge() {
        let five = FeeRate::parse("5%").unwrap();
        assert_eq!(five.fee_on(300, 50), 15);
        assert_eq!(five.fee_on(999, 50), 49, "49.95 rounds down, in the creator's favour");
        assert_eq!(five.fee_on(19, 50), 0, "below the smallest charge: no fee, never a negative one");
        let half = FeeRate::parse("50%").unwrap();
        assert_eq!(half.fee_on(60, 50), 10, "the creator keeps the smallest charge");
        assert_eq!(half.fee_on(i64::MAX / 2, 50), i64::MAX / 4);
        for amount in [50, 51, 100, 12_345, 99_999_999] {
            let fee = half.fee_on(amount, 50);
            assert!((0..=amount).contains(&fee) && amount - fee >= 50, "{amount}: {fee}");
        }
    }
}

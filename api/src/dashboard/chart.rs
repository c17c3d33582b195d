//! The revenue chart: one bar per day of the period in one currency, drawn as SVG by the
//! server. No chart library and no script: it shows without JavaScript and prints as it looks.
//! Currencies are never summed, so the overview draws one chart per currency.

use maud::{Markup, html};
use plog_shared::Currency;
use plog_shared::money::{amount_text, format_major};

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 8.0;
const TOP: f64 = 22.0;
const BOTTOM: f64 = 24.0;

/// What one day took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Day {
    /// `YYYY-MM-DD`, UTC.
    pub day: String,
    /// Paid that day, minor units (sales and tips).
    pub amount: i64,
    /// Payments that day.
    pub count: i64,
}

/// An amount inside the SVG: the server's text, which the page's script rewrites in the
/// creator's locale like every other amount (see `layout::money`).
fn amount_span(amount: i64, currency: &str) -> Markup {
    match Currency::parse(currency) {
        Ok(c) => {
            html! { tspan data-money=(format_major(amount, c)) data-currency=(c.code().to_uppercase()) data-decimals=(c.exponent()) { (amount_text(amount, currency)) } }
        }
        Err(_) => html! { (amount_text(amount, currency)) },
    }
}

/// The chart of `days` (every day of the period, oldest first, zeros included).
pub fn revenue_chart(currency: &str, days: &[Day]) -> Markup {
    let most = days.iter().map(|d| d.amount).max().unwrap_or(0).max(1);
    let plot_width = WIDTH - 2.0 * LEFT;
    let plot_height = HEIGHT - TOP - BOTTOM;
    let slot = plot_width / days.len().max(1) as f64;
    let bar_width = (slot * 0.78).max(1.0);
    let baseline = TOP + plot_height;
    let label = format!("Revenue per day in {}", currency.to_uppercase());
    let total: i64 = days.iter().map(|d| d.amount).sum();
    html! {
        figure.chart {
            svg viewBox=(format!("0 0 {WIDTH} {HEIGHT}")) role="img" aria-label=(format!("{label}: {} in the period", amount_text(total, currency))) data-currency=(currency) {
                title { (label) }
                text.axis x=(LEFT) y="14" { "max " (amount_span(most, currency)) }
                line.grid x1=(LEFT) x2=(WIDTH - LEFT) y1=(TOP) y2=(TOP) {}
                line.baseline x1=(LEFT) x2=(WIDTH - LEFT) y1=(baseline) y2=(baseline) {}
                @for (i, day) in days.iter().enumerate() {
                    @if day.amount > 0 {
                        @let height = (day.amount as f64 / most as f64 * plot_height).max(1.0);
                        rect.bar x=(format!("{:.1}", LEFT + i as f64 * slot + (slot - bar_width) / 2.0)) y=(format!("{:.1}", baseline - height))
                            width=(format!("{bar_width:.1}")) height=(format!("{height:.1}")) data-day=(day.day) data-amount=(day.amount) {
                            title { (day.day) ": " (amount_text(day.amount, currency)) ", " (day.count) " paid" }
                        }
                    }
                }
                @if let (Some(first), Some(last)) = (days.first(), days.last()) {
                    text.axis x=(LEFT) y=(HEIGHT - 6.0) { (first.day) }
                    text.axis.end x=(WIDTH - LEFT) y=(HEIGHT - 6.0) { (last.day) }
                }
            }
            figcaption { (label) ", UTC days. Total " (super::layout::money(total, currency)) "." }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(day: &str, amount: i64) -> Day {
        Day { day: day.into(), amount, count: 1 }
    }

    #[test]
    fn the_best_day_fills_the_height_and_empty_days_draw_no_bar() {
        let svg =
            revenue_chart("jpy", &[day("2026-11-24", 300), day("2026-11-25", 0), day("2026-11-26", 150)]).into_string();
        assert_eq!(svg.matches("<rect").count(), 2, "{svg}");
        assert!(svg.contains(r#"height="174.0" data-day="2026-11-24" data-amount="300""#), "{svg}");
        assert!(svg.contains(r#"height="87.0" data-day="2026-11-26" data-amount="150""#), "{svg}");
        assert!(svg.contains(r#"Total <data class="money" value="450" data-money="450" data-currency="JPY" data-decimals="0">450 JPY</data>"#), "{svg}");
        assert!(svg.contains("2026-11-26: 150 JPY, 1 paid"));
    }

    #[test]
    fn minor_units_are_shown_in_the_currency_s_major_unit() {
        let svg = revenue_chart("usd", &[day("2026-11-26", 150)]).into_string();
        assert!(
            svg.contains(r#"max <tspan data-money="1.50" data-currency="USD" data-decimals="2">1.50 USD</tspan>"#),
            "{svg}"
        );
    }
}

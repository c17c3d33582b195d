-- Paywall modes: a fixed price (as before), pay what you want (price_amount is the minimum), or
-- a tip jar (price_amount is the smallest tip; the content is the creator's thank-you message).
alter table paywalls add column mode text not null default 'fixed' check (mode in ('fixed', 'pay_what_you_want', 'tip'));
-- pay what you want: the amount suggested to readers, minor units
alter table paywalls add column suggested_amount bigint;
-- pay what you want and tips: the most a reader may pay, minor units (null: Stripe's maximum)
alter table paywalls add column max_amount bigint;
-- tips: one-tap amounts, minor units, space-separated
alter table paywalls add column preset_amounts text not null default '';
-- tips: show readers how many tips were paid
alter table paywalls add column show_count boolean not null default false;

-- the mode a purchase was made under, copied like its amount, so stats tell tips from sales
-- even if the paywall's mode changes later
alter table purchases add column mode text not null default 'fixed';

-- Wallets (issue 27).
--
-- Stripe shows Apple Pay, Google Pay and Link only on domains registered with it (the Payment
-- Method Domains API). plog registers the host of every site a paywall lists and keeps what
-- Stripe answered: each wallet's status ('active', 'inactive', or 'unknown' when the
-- registration failed) and, in Stripe's words, why a registration failed or a wallet is
-- inactive.
create table wallet_domains (
    domain text primary key,
    stripe_id text,
    apple_pay text not null check (apple_pay in ('active', 'inactive', 'unknown')),
    google_pay text not null check (google_pay in ('active', 'inactive', 'unknown')),
    link text not null check (link in ('active', 'inactive', 'unknown')),
    problem text,
    checked_at bigint not null
);

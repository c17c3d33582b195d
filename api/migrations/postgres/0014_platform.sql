-- Platform mode (issue 28): each creator's connected Stripe account and whether it takes card
-- payments; the account a purchase's PaymentIntent lives on (null: the plog's own account) and
-- the fee the operator took; the one-time codes creators sign up and sign in with (only the
-- code's keyed hash is kept).
alter table creators add column stripe_account text;
create unique index creators_by_stripe_account on creators (stripe_account) where stripe_account is not null;
-- charges_enabled and the card_payments capability active, as Stripe last said
alter table creators add column takes_payments boolean not null default false;
-- the operator's plug pulled, or the creator's account disconnected from the platform
alter table creators add column disconnected_at bigint;
alter table creators add column account_checked_at bigint;

alter table purchases add column stripe_account text;
alter table purchases add column application_fee bigint not null default 0 check (application_fee >= 0);

create table creator_codes (
    id text primary key,
    email text not null,
    code_hash text not null,
    tries_left bigint not null,
    expires_at bigint not null,
    used_at bigint,
    created_at bigint not null
);
create index creator_codes_by_email on creator_codes (email, created_at);

-- Wallets on creators' sites (platform mode). A direct charge is made on the creator's connected
-- account, and Stripe shows Apple Pay, Google Pay and Link there only on domains registered on
-- that account: a registration is now an account's. `account` is '' for the plog's own account
-- (every registration made before), else the connected account's id (acct_…).
create table wallet_domains_by_account (
    account text not null default '',
    domain text not null,
    stripe_id text,
    apple_pay text not null check (apple_pay in ('active', 'inactive', 'unknown')),
    google_pay text not null check (google_pay in ('active', 'inactive', 'unknown')),
    link text not null check (link in ('active', 'inactive', 'unknown')),
    problem text,
    checked_at bigint not null,
    primary key (account, domain)
);
insert into wallet_domains_by_account (account, domain, stripe_id, apple_pay, google_pay, link, problem, checked_at)
    select '', domain, stripe_id, apple_pay, google_pay, link, problem, checked_at from wallet_domains;
drop table wallet_domains;
alter table wallet_domains_by_account rename to wallet_domains;

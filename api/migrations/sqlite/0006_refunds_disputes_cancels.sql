-- Stripe, for real: a purchase can also be canceled (its PaymentIntent canceled before it
-- succeeded) or disputed (the reader's bank takes the money back); partial refunds are
-- recorded as an amount, and a dispute's own status is kept for the creator. The allowed moves
-- between these states live in one place, api/src/lifecycle.rs.
--
-- SQLite cannot change a column's check constraint, so the table is rebuilt: same columns and
-- rows, the wider check, the new columns, the same indexes.
create table purchases_new (
    id text primary key,
    paywall_id text not null references paywalls (id),
    payment_intent_id text not null unique,
    token_hash text not null unique,
    status text not null check (status in ('pending', 'paid', 'failed', 'canceled', 'refunded', 'disputed')),
    amount bigint not null check (amount > 0),
    currency text not null,
    last_error text,
    created_at bigint not null,
    updated_at bigint not null,
    paid_at bigint,
    refunded_at bigint,
    client_key text,
    mode text not null default 'fixed',
    -- the part of the amount refunded so far, minor units (a full refund also sets 'refunded')
    refunded_amount bigint not null default 0 check (refunded_amount >= 0),
    -- the last dispute's status as Stripe names it (needs_response, under_review, won, lost, …)
    dispute_status text
);

insert into purchases_new (id, paywall_id, payment_intent_id, token_hash, status, amount, currency, last_error,
                           created_at, updated_at, paid_at, refunded_at, client_key, mode, refunded_amount)
select id, paywall_id, payment_intent_id, token_hash, status, amount, currency, last_error,
       created_at, updated_at, paid_at, refunded_at, client_key, mode,
       case when status = 'refunded' then amount else 0 end
from purchases;

drop table purchases;
alter table purchases_new rename to purchases;

create index purchases_by_paywall on purchases (paywall_id, created_at);
create index purchases_by_created on purchases (created_at);
create index purchases_by_client on purchases (client_key, created_at);
-- the report's covering index (0005), now with the refunded amount it subtracts from revenue
create index purchases_report on purchases (paywall_id, currency, status, mode, paid_at, amount, created_at, updated_at, refunded_amount);

-- Stripe, for real: a purchase can also be canceled (its PaymentIntent canceled before it
-- succeeded) or disputed (the reader's bank takes the money back); partial refunds are
-- recorded as an amount, and a dispute's own status is kept for the creator. The allowed moves
-- between these states live in one place, api/src/lifecycle.rs.
alter table purchases drop constraint purchases_status_check;
alter table purchases add constraint purchases_status_check
    check (status in ('pending', 'paid', 'failed', 'canceled', 'refunded', 'disputed'));
-- the part of the amount refunded so far, minor units (a full refund also sets 'refunded')
alter table purchases add column refunded_amount bigint not null default 0 check (refunded_amount >= 0);
update purchases set refunded_amount = amount where status = 'refunded';
-- the last dispute's status as Stripe names it (needs_response, under_review, won, lost, …)
alter table purchases add column dispute_status text;
-- the report's covering index (0005), now with the refunded amount it subtracts from revenue
drop index purchases_report;
create index purchases_report on purchases (paywall_id, currency, status, mode, paid_at, amount, created_at, updated_at, refunded_amount);

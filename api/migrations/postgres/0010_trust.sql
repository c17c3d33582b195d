-- Trust (issue 25).
--
-- A discount code's use is held by a purchase from its start (`discount_held` = 1, counted in
-- `discount_codes.uses`) and given back when the purchase is canceled or its reservation
-- expires unpaid (0); a purchase paid after its use was given back takes one again. Purchases
-- of today hold theirs: their uses are counted already.
alter table purchases add column discount_held bigint not null default 0;
update purchases set discount_held = 1 where discount_id is not null;
create index purchases_holding_discounts on purchases (created_at) where discount_held = 1;

-- Refunds that failed or were canceled, by Stripe's refund id: each one's failure gives its
-- money back to the purchase's refunded total once, however often Stripe reports it.
create table failed_refunds (
    refund_id text primary key,
    payment_intent_id text not null,
    amount bigint not null,
    created_at bigint not null
);
create index failed_refunds_by_intent on failed_refunds (payment_intent_id);

-- Rate limits shared by every replica on one PostgreSQL database (limits::purchases): one GCRA
-- bucket per key, holding its theoretical arrival time in milliseconds of the database's clock.
-- Keys are `purchase-client:KEYED_HASH` and `purchase-paywall:ID`: no address is stored.
create table rate_limits (
    key text primary key,
    tat_ms bigint not null
);

-- Creators (issue 28): who owns each paywall, offer, sale and dashboard session. A standalone
-- plog has one, the owner (id 1): every row written before this migration is theirs, so a
-- standalone database upgrades unchanged. Admin API tokens of creators are stored hashed.
--
-- SQLite refuses `references` on a column added with a non-null default while foreign keys are
-- on, so the added `creator_id` columns name creators(id) only on PostgreSQL; plog writes them
-- from the creator of the request (or the paywall's), never from input.
create table creators (
    id integer primary key,
    -- lower case; null for the owner of a standalone plog (signed in with PLOG_ADMIN_TOKEN)
    email text unique,
    status text not null default 'active' check (status in ('active', 'suspended')),
    created_at bigint not null
);
insert into creators (id, email, status, created_at) values (1, null, 'active', 0);

create table creator_tokens (
    id text primary key,
    creator_id bigint not null references creators (id),
    -- sha-256 of the token; the token itself is shown once and never stored
    token_hash text not null unique,
    label text not null default '',
    created_at bigint not null,
    revoked_at bigint
);
create index creator_tokens_by_creator on creator_tokens (creator_id, created_at);

alter table paywalls add column creator_id bigint not null default 1;
create index paywalls_by_creator on paywalls (creator_id, created_at);
alter table purchases add column creator_id bigint not null default 1;
create index purchases_by_creator on purchases (creator_id, created_at);
alter table passes add column creator_id bigint not null default 1;
alter table gift_links add column creator_id bigint not null default 1;
alter table admin_sessions add column creator_id bigint not null default 1;

-- Discount codes are unique per creator (two creators may both sell with WELCOME): the table is
-- rebuilt, as SQLite cannot drop the column's own unique constraint.
create table discount_codes_new (
    id text primary key,
    creator_id bigint not null default 1 references creators (id),
    -- upper case: codes are case-insensitive
    code text not null,
    percent_off bigint check (percent_off is null or (percent_off between 1 and 99)),
    amount_off bigint check (amount_off is null or amount_off > 0),
    currency text,
    applies_to text not null default '',
    starts_at bigint,
    ends_at bigint,
    max_uses bigint check (max_uses is null or max_uses > 0),
    uses bigint not null default 0,
    status text not null default 'active' check (status in ('active', 'disabled')),
    created_at bigint not null,
    check ((percent_off is null) <> (amount_off is null)),
    unique (creator_id, code)
);
insert into discount_codes_new (id, creator_id, code, percent_off, amount_off, currency, applies_to, starts_at,
                                ends_at, max_uses, uses, status, created_at)
select id, 1, code, percent_off, amount_off, currency, applies_to, starts_at, ends_at, max_uses, uses, status,
       created_at
from discount_codes;
drop table discount_codes;
alter table discount_codes_new rename to discount_codes;

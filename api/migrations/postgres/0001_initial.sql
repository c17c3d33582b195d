-- plog's schema on PostgreSQL: the same tables as the SQLite migration, so one set of
-- statements serves both. Times are unix seconds (bigint), money integer minor units.

create table paywalls (
    id text primary key,
    title text not null,
    teaser text,
    price_amount bigint not null check (price_amount > 0),
    currency text not null,
    content_markdown text not null,
    -- rendered and sanitized once at save time, so serving content never re-parses markdown
    content_html text not null,
    status text not null default 'active' check (status in ('active', 'archived')),
    created_at bigint not null,
    updated_at bigint not null
);

create table purchases (
    id text primary key,
    paywall_id text not null references paywalls (id),
    -- one purchase per PaymentIntent: the database, not a process, holds this across replicas
    payment_intent_id text not null unique,
    -- sha-256 of the access token; the token itself is never stored
    token_hash text not null unique,
    status text not null check (status in ('pending', 'paid', 'failed', 'refunded')),
    -- copied from the paywall at purchase time: a later price change does not touch it
    amount bigint not null check (amount > 0),
    currency text not null,
    last_error text,
    created_at bigint not null,
    updated_at bigint not null,
    paid_at bigint,
    refunded_at bigint
);

create index purchases_by_paywall on purchases (paywall_id, created_at);
create index purchases_by_created on purchases (created_at);

-- every Stripe event applied, so a redelivery to any replica has no second effect
create table stripe_events (
    id text primary key,
    event_type text not null,
    payment_intent_id text,
    outcome text not null,
    received_at bigint not null
);

-- Paywall views, counted by the widget's beacon (one per page view of a paywall). Aggregated per
-- paywall and UTC day: no cookie, no address, nothing about the reader is kept.
create table paywall_views (
    paywall_id text not null references paywalls (id),
    -- days since 1970-01-01, UTC
    day bigint not null,
    views bigint not null,
    primary key (paywall_id, day)
);

-- Dashboard sessions, opened by signing in with the admin token. Only the SHA-256 of the
-- cookie's value is stored; signing out deletes the row.
create table admin_sessions (
    token_hash text primary key,
    -- sent back with every form of the dashboard (CSRF), compared in constant time
    csrf_token text not null,
    created_at bigint not null,
    expires_at bigint not null
);

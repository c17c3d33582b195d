-- More ways to pay and share: passes (many paywalls for a time), gift links (one paywall for
-- whoever holds the link) and discount codes.

-- A pass opens every paywall of a site, or a named set of paywalls, for `days` days from its
-- payment (null: for good). Coverage is read at unlock time, so paywalls added to the site or
-- the set later are covered too.
create table passes (
    id text primary key,
    title text not null,
    price_amount bigint not null check (price_amount > 0),
    currency text not null,
    -- 'site': every paywall that sells on `origin` ('' = every paywall of this plog);
    -- 'set': the paywalls named in `paywall_ids`
    scope text not null check (scope in ('site', 'set')),
    origin text not null default '',
    -- space-separated paywall ids (scope 'set')
    paywall_ids text not null default '',
    days bigint check (days is null or days > 0),
    status text not null default 'active' check (status in ('active', 'archived')),
    created_at bigint not null,
    updated_at bigint not null
);

-- A pass purchase is a purchase like any other (one PaymentIntent, refunds and disputes revoke
-- it, restore brings it back), bought on the paywall the reader was on; it carries its pass and
-- the pass's length at purchase time, so a later change of the pass does not shorten it.
alter table purchases add column pass_id text references passes (id);
alter table purchases add column pass_days bigint;
-- the discount code applied, and the price before it (minor units)
alter table purchases add column discount_id text;
alter table purchases add column list_amount bigint;

-- A gift link opens one paywall for whoever holds it. Only the code's SHA-256 is stored.
create table gift_links (
    id text primary key,
    paywall_id text not null references paywalls (id),
    code_hash text not null unique,
    label text not null default '',
    max_opens bigint check (max_opens is null or max_opens > 0),
    opens bigint not null default 0,
    expires_at bigint,
    revoked_at bigint,
    created_at bigint not null
);
create index gift_links_by_paywall on gift_links (paywall_id);

-- Each opening gives that browser an access token (only its hash kept), which unlocks while the
-- link is not revoked.
create table gift_opens (
    token_hash text primary key,
    gift_id text not null references gift_links (id),
    opened_at bigint not null
);
create index gift_opens_by_gift on gift_opens (gift_id, opened_at);

-- Discount codes: percent or amount off, for every paywall and pass or for named ones.
create table discount_codes (
    id text primary key,
    -- upper case: codes are case-insensitive
    code text not null unique,
    percent_off bigint check (percent_off is null or (percent_off between 1 and 99)),
    amount_off bigint check (amount_off is null or amount_off > 0),
    -- the currency of amount_off
    currency text,
    -- space-separated paywall and pass ids; '' = every paywall and pass
    applies_to text not null default '',
    starts_at bigint,
    ends_at bigint,
    max_uses bigint check (max_uses is null or max_uses > 0),
    -- purchases started with the code (taken atomically against max_uses)
    uses bigint not null default 0,
    status text not null default 'active' check (status in ('active', 'disabled')),
    created_at bigint not null,
    check ((percent_off is null) <> (amount_off is null))
);

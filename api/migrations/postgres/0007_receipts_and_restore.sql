-- Receipts by email and restore on any device (no account).
--
-- A reader may leave an address when paying. It waits in `mail_outbox` (state 'unpaid') and is
-- queued in the same transaction that makes the purchase paid; the sender delivers it with
-- retries and then forgets the address: only `purchases.email_hash`, a keyed hash, stays for
-- restore lookups. Restore mails a one-time code (`restore_codes`, stored as a keyed hash); the
-- code buys fresh access tokens (`restored_tokens`), which unlock like the purchase's own and
-- never change the purchase.
alter table purchases add column email_hash text;
create index purchases_by_email_hash on purchases (email_hash) where email_hash is not null;

create table mail_outbox (
    id text primary key,
    kind text not null check (kind in ('receipt', 'restore')),
    -- receipts: the purchase (one receipt per purchase)
    purchase_id text unique references purchases (id),
    -- restore codes: the request
    restore_id text,
    -- in clear only until the mail is sent or refused
    recipient text,
    language text not null,
    -- the article's page, for the link in the mail
    page_url text,
    -- a restore mail's code, in clear only until it is sent
    code text,
    state text not null check (state in ('unpaid', 'queued', 'sent', 'failed')),
    attempts bigint not null default 0,
    next_attempt_at bigint,
    -- a sender working on it (its claim ends then; another may take over after)
    claimed_until bigint,
    last_error text,
    created_at bigint not null,
    sent_at bigint
);
create index mail_outbox_due on mail_outbox (state, next_attempt_at);

create table restore_codes (
    id text primary key,
    email_hash text not null,
    code_hash text not null,
    -- the site the restore was asked from: only its paywalls are restored
    origin text not null,
    tries_left bigint not null,
    expires_at bigint not null,
    used_at bigint,
    created_at bigint not null
);
create index restore_codes_used on restore_codes (used_at);

create table restored_tokens (
    token_hash text primary key,
    purchase_id text not null references purchases (id),
    restore_id text not null references restore_codes (id),
    created_at bigint not null
);

-- The creator's report groups every purchase by paywall and currency (and paid ones by day):
-- an index holding all the columns it reads lets the database answer from the index alone,
-- in group order, instead of reading whole purchase rows (measured on SQLite with 100,000
-- purchases: 367 ms → 17 ms for the totals, 290 ms → 36 ms for the days).
create index purchases_report on purchases (paywall_id, currency, status, mode, paid_at, amount, created_at, updated_at);

-- The same table as on PostgreSQL, for a schema that is one across engines. On SQLite (one
-- machine, one plog) the limits stay in memory and this table stays empty.
create table rate_limits (
    key text primary key,
    tat_ms integer not null
);

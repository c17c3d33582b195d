-- Per-site paywalls: the canonical origins (`https://blog.example`) of the blogs a paywall sells
-- on, separated by spaces; '' sells on any site.
alter table paywalls add column origins text not null default '';

-- Who started a purchase, as a keyed hash of the client's IP address (never the address itself),
-- so the cap on pending purchases per client holds across replicas.
alter table purchases add column client_key text;
create index purchases_by_client on purchases (client_key, created_at);

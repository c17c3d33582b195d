-- Wallets on creators' sites (platform mode). A direct charge is made on the creator's connected
-- account, and Stripe shows Apple Pay, Google Pay and Link there only on domains registered on
-- that account: a registration is now an account's. `account` is '' for the plog's own account
-- (every registration made before), else the connected account's id (acct_…).
alter table wallet_domains add column account text not null default '';
alter table wallet_domains drop constraint wallet_domains_pkey;
alter table wallet_domains add primary key (account, domain);

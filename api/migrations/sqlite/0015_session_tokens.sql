-- Which creator API token opened a dashboard session (null: the operator's PLOG_ADMIN_TOKEN, or
-- a mailed code): revoking the token ends the sessions it opened, at once.
alter table admin_sessions add column opened_by_token text references creator_tokens (id);
create index admin_sessions_by_token on admin_sessions (opened_by_token) where opened_by_token is not null;

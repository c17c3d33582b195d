-- The article page (issue 29): a paywall's own page on plog's host, `/r/{id}`, for the places
-- where no tag can go. Its free part (Markdown as written, and the sanitized HTML served), an
-- image for link previews and the original post, if any (`rel=canonical`).
alter table paywalls add column free_markdown text not null default '';
alter table paywalls add column free_html text not null default '';
alter table paywalls add column image_url text;
alter table paywalls add column canonical_url text;

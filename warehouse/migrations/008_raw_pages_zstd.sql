-- The pages kept for re-extraction are zstd-compressed from here on: a third of zlib's CPU in the
-- extraction worker for 12 % fewer bytes (docs/decisions.md). Rows stored before keep their zlib
-- copy; each row has exactly one of the two, and `replay --html` reads either.

alter table raw_pages add column html_zstd blob;  -- the page as fetched, zstd-compressed
alter table raw_pages alter html_zlib drop not null;

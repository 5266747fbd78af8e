-- not_null: a kept page has its HTML, in exactly one copy: zstd-compressed, or zlib-compressed
-- for pages kept before migration 008.
select
    canonical_url,
    html_zlib is not null as has_zlib,
    html_zstd is not null as has_zstd
from raw_pages
where (html_zlib is null) = (html_zstd is null)
order by canonical_url

-- A page whose text is too short to be an article (stage 'extract') is still dated by its
-- witnesses (URL, headline, metadata, listing): its failure keeps that date instead of throwing
-- it away, so one can tell when the pages that gave no article were published. Both columns stay
-- null for a fetch failure and for a page nothing dates; a later failure with no date keeps an
-- earlier one (warehouse/queries/upsert_failures.sql). date_source has articles.date_source's
-- vocabulary.

alter table page_failures add column published_at timestamp;  -- as articles.published_at
alter table page_failures add column date_source varchar;     -- page | feed | listing, or null

insert into vocabularies (column_name, value) values
    ('page_failures.date_source', 'page'),
    ('page_failures.date_source', 'feed'),
    ('page_failures.date_source', 'listing'),
    ('page_failures.date_source', 'sighting'),
    ('page_failures.date_source', 'seed'),
    ('page_failures.date_source', 'none');

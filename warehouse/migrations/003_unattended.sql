-- Running for months unattended: each feed keeps its own polling schedule (and can be paused by a
-- person), each run says where it ran (so a run whose process died can be found and marked
-- crashed) and what it left for the next one. Two run statuses join the vocabulary.

alter table feeds add column next_fetch_at timestamp;      -- not fetched before this time
alter table feeds add column interval_minutes double;      -- the feed's own interval, adapted
alter table feeds add column items_per_day double;         -- new items a day, smoothed
alter table feeds add column last_new_at timestamp;        -- when it last brought a new item
alter table feeds add column new_items_last integer;       -- new items at the last fetch
alter table feeds add column paused_at timestamp;          -- set by `sinorus feeds pause`
alter table feeds add column paused_reason varchar;

alter table runs add column host varchar;                   -- the machine it ran on ...
alter table runs add column pid integer;                    -- ... and its process
alter table runs add column heartbeat_at timestamp;         -- its last commit
alter table runs add column feeds_due integer;              -- feeds whose time had come
alter table runs add column left_urls integer;              -- URLs left for the next run

insert into vocabularies (column_name, value) values
    ('runs.status', 'completed_partial'),
    ('runs.status', 'crashed');

-- rule_digests was added to 004 after 004 had run on some development lakes (a migration edited
-- in place, against the rule): those lakes have every table of 004 but this one, and the monitor
-- failed on them. Created here when missing; on every other lake this does nothing.

create table if not exists rule_digests (
    name       varchar not null,  -- key: keywords (the `[[keywords]]` list the mentions follow)
    digest     varchar not null,  -- sha1 of the rules as JSON
    updated_at timestamp not null
);

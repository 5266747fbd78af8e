-- Files no snapshot needs any more, still in storage until a later cleanup.
select count(*) as files
from query_table($metadata || '.ducklake_files_scheduled_for_deletion')

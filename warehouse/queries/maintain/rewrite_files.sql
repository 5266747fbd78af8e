-- Data files a tenth or more of whose rows are deleted (retention, replays) written again
-- without them: the space of deleted rows comes back once no snapshot needs the old files.
call ducklake_rewrite_data_files($alias, delete_threshold => 0.1)

-- Adjacent small Parquet files of each table merged into larger ones.
call ducklake_merge_adjacent_files($alias)

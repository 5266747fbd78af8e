-- Rows inlined in the catalog by small commits, written out as Parquet.
call ducklake_flush_inlined_data($alias)

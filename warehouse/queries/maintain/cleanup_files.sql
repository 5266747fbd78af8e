-- The files that no snapshot needs any more (scheduled for deletion), deleted from storage.
call ducklake_cleanup_old_files($alias, cleanup_all => true)

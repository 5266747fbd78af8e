-- One DuckLake storage option of one table of the current lake (table_options_due.sql says which).
call set_option($option_name, $value, table_name => $table_name)

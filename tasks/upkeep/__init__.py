"""Lake upkeep: importing an old warehouse, maintenance, keyword mentions recounted."""

"""staging-db-restore's notice for Django Admin: when staging's database will next be recreated from production."""

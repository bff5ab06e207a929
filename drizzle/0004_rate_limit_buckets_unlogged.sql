-- Rate-limit buckets are charged on every request, all of one credential's on one row: written to
-- the WAL, each charge waited for a WAL flush while the next one waited for its row lock, which
-- capped a credential's requests at the disk's flush rate. Unlogged, a charge commits without a
-- flush; after a crash the buckets start full again, which only forgives a few seconds of cost.
ALTER TABLE "rate_limit_buckets" SET UNLOGGED;

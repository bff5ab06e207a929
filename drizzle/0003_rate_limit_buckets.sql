CREATE TABLE "rate_limit_buckets" (
	"bucket_id" text PRIMARY KEY NOT NULL,
	"available" double precision NOT NULL,
	"updated_time" timestamp(6) with time zone NOT NULL,
	"taken" double precision DEFAULT 0 NOT NULL
);

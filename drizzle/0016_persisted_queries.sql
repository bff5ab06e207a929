CREATE TABLE "persisted_queries" (
	"hash" text PRIMARY KEY NOT NULL,
	"query" text NOT NULL,
	"registered_time" timestamp(6) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "persisted_queries_registered_idx" ON "persisted_queries" USING btree ("registered_time");
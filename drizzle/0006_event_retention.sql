ALTER TABLE "companies" ADD COLUMN "events_pruned_seq" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "customer_events_time_brin" ON "customer_events" USING brin ("occurred_time");
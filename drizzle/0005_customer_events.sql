CREATE TABLE "customer_events" (
	"company_id" text NOT NULL,
	"seq" bigint NOT NULL,
	"id" text NOT NULL,
	"customer_id" text NOT NULL,
	"type" text NOT NULL,
	"changes" jsonb NOT NULL,
	"actor" text,
	"request_id" text,
	"occurred_time" timestamp(6) with time zone NOT NULL,
	CONSTRAINT "customer_events_company_id_seq_pk" PRIMARY KEY("company_id","seq")
);
--> statement-breakpoint
ALTER TABLE "companies" ADD COLUMN "event_seq" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "customer_events_id_key" ON "customer_events" USING btree ("company_id","id");--> statement-breakpoint
CREATE INDEX "customer_events_customer_idx" ON "customer_events" USING btree ("company_id","customer_id","occurred_time","id");
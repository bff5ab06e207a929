CREATE TABLE "card_setups" (
	"company_id" text NOT NULL,
	"id" text NOT NULL,
	"customer_id" text NOT NULL,
	"link_id" text NOT NULL,
	"provider" text NOT NULL,
	"reference" text,
	"created_time" timestamp(6) with time zone NOT NULL,
	CONSTRAINT "card_setups_company_id_id_pk" PRIMARY KEY("company_id","id")
);
--> statement-breakpoint
CREATE TABLE "cof_link_routes" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"company_id" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cof_links" (
	"company_id" text NOT NULL,
	"id" text NOT NULL,
	"customer_id" text NOT NULL,
	"token_hash" text NOT NULL,
	"created_by" text NOT NULL,
	"created_time" timestamp(6) with time zone NOT NULL,
	"expires_time" timestamp(6) with time zone NOT NULL,
	"used_time" timestamp(6) with time zone,
	"revoked_time" timestamp(6) with time zone,
	CONSTRAINT "cof_links_company_id_id_pk" PRIMARY KEY("company_id","id")
);
--> statement-breakpoint
CREATE TABLE "compliance_changes" (
	"company_id" text NOT NULL,
	"id" text NOT NULL,
	"customer_id" text NOT NULL,
	"field" text NOT NULL,
	"old_value" jsonb,
	"new_value" jsonb,
	"actor" text NOT NULL,
	"changed_time" timestamp(6) with time zone NOT NULL,
	"request_id" text,
	"ip" text,
	"user_agent" text,
	CONSTRAINT "compliance_changes_company_id_id_pk" PRIMARY KEY("company_id","id")
);
--> statement-breakpoint
ALTER TABLE "card_setups" ADD CONSTRAINT "card_setups_company_id_customer_id_customers_company_id_id_fk" FOREIGN KEY ("company_id","customer_id") REFERENCES "public"."customers"("company_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cof_links" ADD CONSTRAINT "cof_links_company_id_customer_id_customers_company_id_id_fk" FOREIGN KEY ("company_id","customer_id") REFERENCES "public"."customers"("company_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "compliance_changes" ADD CONSTRAINT "compliance_changes_company_id_customer_id_customers_company_id_id_fk" FOREIGN KEY ("company_id","customer_id") REFERENCES "public"."customers"("company_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "card_setups_link_key" ON "card_setups" USING btree ("company_id","link_id");--> statement-breakpoint
CREATE UNIQUE INDEX "cof_links_token_key" ON "cof_links" USING btree ("company_id","token_hash");--> statement-breakpoint
CREATE INDEX "cof_links_customer_idx" ON "cof_links" USING btree ("company_id","customer_id");--> statement-breakpoint
CREATE INDEX "compliance_changes_customer_idx" ON "compliance_changes" USING btree ("company_id","customer_id","changed_time","id");
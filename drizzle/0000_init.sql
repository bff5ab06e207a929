CREATE TYPE "public"."address_type" AS ENUM('PRIMARY', 'SECONDARY');--> statement-breakpoint
CREATE TYPE "public"."compliance_channel" AS ENUM('COMPLIANCE_CHANNEL_SMS', 'COMPLIANCE_CHANNEL_EMAIL', 'COMPLIANCE_CHANNEL_AUTO_CALL');--> statement-breakpoint
CREATE TYPE "public"."customer_status" AS ENUM('ACTIVE', 'INACTIVE');--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"company_id" text NOT NULL,
	"name" text NOT NULL,
	"scopes" text[] NOT NULL,
	"key_hash" text NOT NULL,
	"created_time" timestamp(6) with time zone DEFAULT now() NOT NULL,
	"revoked_time" timestamp(6) with time zone,
	CONSTRAINT "api_keys_key_hash_unique" UNIQUE("key_hash")
);
--> statement-breakpoint
CREATE TABLE "companies" (
	"company_id" text PRIMARY KEY NOT NULL,
	"customer_count" integer DEFAULT 0 NOT NULL,
	"created_time" timestamp(6) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "customer_addresses" (
	"company_id" text NOT NULL,
	"id" text NOT NULL,
	"customer_id" text NOT NULL,
	"type" "address_type" NOT NULL,
	"address1" text,
	"address2" text,
	"city" text,
	"state" text,
	"postal_code" text,
	"country" text,
	"latitude" double precision,
	"longitude" double precision,
	"created_time" timestamp(6) with time zone NOT NULL,
	"last_updated_time" timestamp(6) with time zone NOT NULL,
	CONSTRAINT "customer_addresses_company_id_id_pk" PRIMARY KEY("company_id","id")
);
--> statement-breakpoint
CREATE TABLE "customer_notes" (
	"company_id" text NOT NULL,
	"id" text NOT NULL,
	"customer_id" text NOT NULL,
	"note" text NOT NULL,
	"created_by" text,
	"created_time" timestamp(6) with time zone NOT NULL,
	"last_updated_by" text,
	"last_updated_time" timestamp(6) with time zone NOT NULL,
	CONSTRAINT "customer_notes_company_id_id_pk" PRIMARY KEY("company_id","id")
);
--> statement-breakpoint
CREATE TABLE "customer_tags" (
	"company_id" text NOT NULL,
	"customer_id" text NOT NULL,
	"tag_id" text NOT NULL,
	"created_by" text,
	"created_time" timestamp(6) with time zone NOT NULL,
	CONSTRAINT "customer_tags_company_id_customer_id_tag_id_pk" PRIMARY KEY("company_id","customer_id","tag_id")
);
--> statement-breakpoint
CREATE TABLE "customers" (
	"company_id" text NOT NULL,
	"id" text NOT NULL,
	"preferred_business_id" text NOT NULL,
	"first_name" text NOT NULL,
	"last_name" text NOT NULL,
	"avatar_path" text,
	"phone" text NOT NULL,
	"email" text,
	"status" "customer_status" DEFAULT 'ACTIVE' NOT NULL,
	"color_code" text,
	"source" text,
	"referral_source_id" text,
	"receive_auto_message" boolean DEFAULT true NOT NULL,
	"receive_auto_email" boolean DEFAULT true NOT NULL,
	"subscribe_to_marketing_emails" boolean DEFAULT false NOT NULL,
	"receive_appointment_reminder" boolean DEFAULT true NOT NULL,
	"service_related_channels" "compliance_channel"[] DEFAULT '{}' NOT NULL,
	"marketing_campaigns_channels" "compliance_channel"[] DEFAULT '{}' NOT NULL,
	"branded_app_enabled" boolean DEFAULT false NOT NULL,
	"is_agreed_marketing_policy" boolean DEFAULT false NOT NULL,
	"is_consented" boolean DEFAULT false NOT NULL,
	"last_appointment_date" timestamp(6) with time zone,
	"next_appointment_date" timestamp(6) with time zone,
	"upcoming_appointments_url" text,
	"deleted" boolean DEFAULT false NOT NULL,
	"created_by" text,
	"created_time" timestamp(6) with time zone NOT NULL,
	"last_updated_by" text,
	"last_updated_time" timestamp(6) with time zone NOT NULL,
	CONSTRAINT "customers_company_id_id_pk" PRIMARY KEY("company_id","id")
);
--> statement-breakpoint
CREATE TABLE "referral_sources" (
	"company_id" text NOT NULL,
	"id" text NOT NULL,
	"name" text NOT NULL,
	"name_key" text GENERATED ALWAYS AS (lower(name)) STORED NOT NULL,
	"created_time" timestamp(6) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "referral_sources_company_id_id_pk" PRIMARY KEY("company_id","id")
);
--> statement-breakpoint
CREATE TABLE "tags" (
	"company_id" text NOT NULL,
	"id" text NOT NULL,
	"name" text NOT NULL,
	"name_key" text GENERATED ALWAYS AS (lower(name)) STORED NOT NULL,
	"created_by" text,
	"created_time" timestamp(6) with time zone NOT NULL,
	"last_updated_by" text,
	"last_updated_time" timestamp(6) with time zone NOT NULL,
	CONSTRAINT "tags_company_id_id_pk" PRIMARY KEY("company_id","id")
);
--> statement-breakpoint
ALTER TABLE "customer_addresses" ADD CONSTRAINT "customer_addresses_company_id_customer_id_customers_company_id_id_fk" FOREIGN KEY ("company_id","customer_id") REFERENCES "public"."customers"("company_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_notes" ADD CONSTRAINT "customer_notes_company_id_customer_id_customers_company_id_id_fk" FOREIGN KEY ("company_id","customer_id") REFERENCES "public"."customers"("company_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_tags" ADD CONSTRAINT "customer_tags_company_id_customer_id_customers_company_id_id_fk" FOREIGN KEY ("company_id","customer_id") REFERENCES "public"."customers"("company_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_tags" ADD CONSTRAINT "customer_tags_company_id_tag_id_tags_company_id_id_fk" FOREIGN KEY ("company_id","tag_id") REFERENCES "public"."tags"("company_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customers" ADD CONSTRAINT "customers_company_id_referral_source_id_referral_sources_company_id_id_fk" FOREIGN KEY ("company_id","referral_source_id") REFERENCES "public"."referral_sources"("company_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "customer_addresses_customer_idx" ON "customer_addresses" USING btree ("company_id","customer_id");--> statement-breakpoint
CREATE UNIQUE INDEX "customer_addresses_primary_key" ON "customer_addresses" USING btree ("company_id","customer_id") WHERE type = 'PRIMARY';--> statement-breakpoint
CREATE INDEX "customer_notes_customer_idx" ON "customer_notes" USING btree ("company_id","customer_id","created_time","id");--> statement-breakpoint
CREATE INDEX "customer_tags_tag_idx" ON "customer_tags" USING btree ("company_id","tag_id");--> statement-breakpoint
CREATE INDEX "customers_list_idx" ON "customers" USING btree ("company_id","last_updated_time","id") WHERE deleted = false;--> statement-breakpoint
CREATE INDEX "customers_phone_idx" ON "customers" USING btree ("company_id","phone","last_updated_time","id") WHERE deleted = false;--> statement-breakpoint
CREATE UNIQUE INDEX "referral_sources_name_key" ON "referral_sources" USING btree ("company_id","name_key");--> statement-breakpoint
CREATE UNIQUE INDEX "tags_name_key" ON "tags" USING btree ("company_id","name_key");
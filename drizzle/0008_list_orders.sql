DROP INDEX "customers_list_idx";--> statement-breakpoint
DROP INDEX "customers_phone_idx";--> statement-breakpoint
CREATE INDEX "customers_updated_idx" ON "customers" USING btree ("company_id","last_updated_time","id");--> statement-breakpoint
CREATE INDEX "customers_created_idx" ON "customers" USING btree ("company_id","created_time","id");--> statement-breakpoint
CREATE INDEX "customers_name_idx" ON "customers" USING btree ("company_id",(lower("last_name") collate "C"),(lower("first_name") collate "C"),"id");--> statement-breakpoint
CREATE INDEX "customers_phone_idx" ON "customers" USING btree ("company_id","phone","last_updated_time","id");
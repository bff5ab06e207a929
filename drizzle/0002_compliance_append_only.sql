-- The compliance audit trail is append-only: the database itself refuses to rewrite it, for any
-- role that reaches it through the application, including the table owner.
CREATE OR REPLACE FUNCTION compliance_changes_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'compliance_changes is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER compliance_changes_no_update_or_delete
  BEFORE UPDATE OR DELETE ON compliance_changes
  FOR EACH ROW EXECUTE FUNCTION compliance_changes_append_only();
--> statement-breakpoint
CREATE TRIGGER compliance_changes_no_truncate
  BEFORE TRUNCATE ON compliance_changes
  FOR EACH STATEMENT EXECUTE FUNCTION compliance_changes_append_only();

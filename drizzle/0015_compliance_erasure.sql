-- Erasure (eraseCustomer) removes where a consent change came from (the client's IP and user
-- agent are personal data); the decision, its actor, time and request stay as they were. Any
-- other rewrite of the trail is still refused.
CREATE OR REPLACE FUNCTION compliance_changes_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.ip IS NULL AND NEW.user_agent IS NULL
     AND (NEW.company_id, NEW.id, NEW.customer_id, NEW.field, NEW.old_value, NEW.new_value,
          NEW.actor, NEW.changed_time, NEW.request_id)
         IS NOT DISTINCT FROM
         (OLD.company_id, OLD.id, OLD.customer_id, OLD.field, OLD.old_value, OLD.new_value,
          OLD.actor, OLD.changed_time, OLD.request_id)
  THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'compliance_changes is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

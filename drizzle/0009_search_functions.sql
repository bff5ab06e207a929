-- Customer search (filter.query): trigram matching (pg_trgm) on an accent- and case-folded text,
-- served by a GIN index that starts with the company (btree_gin). unaccent() is STABLE (its
-- dictionary could change), so the generated column and the index go through this IMMUTABLE
-- wrapper, which names its dictionary.
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS unaccent;--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS btree_gin;--> statement-breakpoint
CREATE OR REPLACE FUNCTION customer_search_fold(text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;

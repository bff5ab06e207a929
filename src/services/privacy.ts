// The customer's privacy rights (API.md "Privacy").
// - Export: every stored fact about one customer (its fields, addresses, notes, tags, consent
//   trail, change events and card-on-file links with their status and times), as JSON an
//   operator can hand over; never a token, hash or secret.
// - Erasure: in one transaction, the names, phone, e-mail, avatar, addresses and note texts
//   removed for good (repositories/erasure.ts), also from past change events; card links
//   revoked, tags unlinked; the row kept as a tombstone (deleted, INACTIVE, placeholder names,
//   out of the quota) so that IDs held elsewhere resolve. The consent trail keeps its decisions,
//   actors and times. One CUSTOMER_ERASED event; erasing again changes nothing; every later
//   change is FAILED_PRECONDITION.
import { NotFound } from '../errors.js';
import { isIdOf } from '../lib/ids.js';
import { stateOf } from './card-on-file.js';
import { appendEvents } from './events.js';
import { type EraseCustomerInput, eraseCustomerInput, parse } from './input-rules.js';
import type { ServiceContext } from './service-context.js';

export interface CustomerDataExport {
  customerId: string;
  generatedTime: Date;
  customer: Record<string, unknown>;
  notes: Record<string, unknown>[];
  tags: Record<string, unknown>[];
  complianceHistory: Record<string, unknown>[];
  events: Record<string, unknown>[];
  cardOnFileLinks: Record<string, unknown>[];
}

/** Rows as exported: the company's ID left out (the same everywhere, not the customer's). */
const exported = <T extends { companyId?: unknown }>({ companyId: _c, ...rest }: T) => rest;

export function privacyService({ repos, clock, principal, origin }: ServiceContext) {
  return {
    /** EraseCustomer; a second erasure answers the first one's time and writes nothing. */
    async erase(
      input: EraseCustomerInput,
    ): Promise<{ erasedCustomerId: string; erasedTime: Date }> {
      const { id, reason } = parse(eraseCustomerInput, input, 'input');
      return repos.transaction(async (tx) => {
        const now = await tx.company.lockForWrite();
        const current = isIdOf('customer', id) ? await tx.customers.lock(id) : null;
        if (!current) throw new NotFound('Customer', id);
        if (current.erasedTime) {
          return { erasedCustomerId: id, erasedTime: new Date(current.erasedTime) };
        }
        const actor = principal.actorId;
        await tx.erasure.erase(id, actor, now);
        await appendEvents(
          tx.events,
          [
            {
              customerId: id,
              type: 'CUSTOMER_ERASED',
              changes: [{ field: 'reason', oldValue: null, newValue: reason }],
            },
          ],
          { actor, requestId: origin.requestId, now },
        );
        return { erasedCustomerId: id, erasedTime: new Date(now) };
      });
    },

    /** CustomerDataExport: read in one transaction, so that its parts agree. */
    async exportCustomer(id: string): Promise<CustomerDataExport> {
      const rows = isIdOf('customer', id)
        ? await repos.transaction((tx) => tx.customerExport.everything(id))
        : null;
      if (!rows) throw new NotFound('Customer', id);
      const now = clock();
      return {
        customerId: id,
        generatedTime: now,
        customer: { ...exported(rows.customer), addresses: rows.addresses.map(exported) },
        notes: rows.notes.map(exported),
        tags: rows.tags,
        complianceHistory: rows.compliance.map(exported),
        events: rows.events.map(exported),
        cardOnFileLinks: rows.links.map((link) => ({
          ...exported(link),
          status: stateOf(link, now).toUpperCase(),
          cardSetups: rows.setups.filter((s) => s.linkId === link.id).map(exported),
        })),
      };
    },
  };
}

export type PrivacyService = ReturnType<typeof privacyService>;

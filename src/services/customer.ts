// Customers: list, create, update. Every write validates the whole request first (all
// violations at once), then runs in one transaction that starts by taking the company's write
// lock, which also yields the write time.
import type { CustomerRow } from '../db/schema.js';
import { NotFound, ResourceExhausted, Violations } from '../errors.js';
import { newId } from '../lib/ids.js';
import { type Page, pageRequest, toPage } from '../lib/page.js';
import type { CustomerListFilter, CustomerPatch } from '../repositories/customer.js';
import type { Repositories } from '../repositories/index.js';
import { complianceDiff, complianceService } from './compliance.js';
import {
  type CreateCustomerInput,
  channels,
  type ParsedAddress,
  parseAddress,
  parseNotes,
  parseTags,
  type TagRef,
  type UpdateCustomerInput,
} from './customer-input.js';
import { changeCustomer, resolveTags } from './customer-write.js';
import { requireOwnCompany, type ServiceContext } from './service-context.js';
import * as check from './validate.js';
import { LIMITS, notNull } from './validate.js';

export interface ListCustomersArgs {
  companyId: string;
  first: number;
  after?: string | null;
  filter?: {
    lastUpdatedTime?: { startTime?: Date | null; endTime?: Date | null } | null;
    mainPhoneNumber?: string | null;
  } | null;
}

/** What a cursor of ListCustomers is bound to: the company, the order and the filter. */
export function customerListScope(companyId: string, filter: CustomerListFilter): string {
  return [
    'customers',
    companyId,
    'lastUpdatedTime,id',
    filter.updatedFrom ?? '',
    filter.updatedBefore ?? '',
    filter.phone ?? '',
  ].join('|');
}

export function customerService(serviceContext: ServiceContext) {
  const { principal, repos, customerQuota } = serviceContext;
  const audit = complianceService(serviceContext);
  const actor = principal.actorId;

  async function writeAddress(
    tx: Repositories,
    customerId: string,
    address: ParsedAddress,
    now: string,
  ) {
    if (address.type === 'PRIMARY')
      await tx.addresses.upsertPrimary(customerId, address.fields, now);
    else await tx.addresses.insertSecondary(customerId, address.fields, now);
  }

  async function referralSourceId(tx: Repositories, source: string | null): Promise<string | null> {
    return source === null ? null : (await tx.referralSources.findOrCreateByName(source)).id;
  }

  function listFilter(args: ListCustomersArgs, v: Violations): CustomerListFilter {
    const filter: CustomerListFilter = {};
    const interval = args.filter?.lastUpdatedTime;
    if (interval) {
      const { startTime, endTime } = interval;
      if (startTime && endTime && startTime > endTime) {
        v.add('filter.lastUpdatedTime', 'startTime must not be after endTime');
      }
      if (startTime) filter.updatedFrom = startTime.toISOString();
      if (endTime) filter.updatedBefore = endTime.toISOString();
    }
    const phone = args.filter?.mainPhoneNumber;
    if (phone != null) {
      const normalised = check.phone(v, 'filter.mainPhoneNumber', phone);
      if (normalised) filter.phone = normalised;
    }
    return filter;
  }

  return {
    /** ListCustomers: keyset pages in (lastUpdatedTime, id) order. */
    async list(args: ListCustomersArgs): Promise<Page<CustomerRow>> {
      requireOwnCompany(principal, args.companyId, 'companyId');
      const v = new Violations();
      const filter = listFilter(args, v);
      const scope = customerListScope(principal.companyId, filter);
      const request = pageRequest(scope, args, v);
      const rows = await repos.customers.page(filter, request.after, request.first + 1);
      return toPage(
        scope,
        request,
        rows,
        (row) => row.lastUpdatedTime,
        () => repos.customers.count(filter),
      );
    },

    /** CreateCustomer: the customer with its address, tags and notes, in one transaction. */
    async create(input: CreateCustomerInput): Promise<CustomerRow> {
      requireOwnCompany(principal, input.companyId, 'input.companyId');

      const v = new Violations();
      const preferredBusinessId = check.identifier(
        v,
        'input.preferredBusinessId',
        input.preferredBusinessId,
      );
      const firstName = check.requiredText(v, 'input.firstName', input.firstName, LIMITS.name);
      const lastName = check.requiredText(v, 'input.lastName', input.lastName, LIMITS.name);
      const phone = check.phone(v, 'input.phone', input.phone);
      const email = input.email == null ? null : check.email(v, 'input.email', input.email);
      const colorCode =
        input.colorCode == null ? null : check.colorCode(v, 'input.colorCode', input.colorCode);
      const avatarPath =
        input.avatarPath == null ? null : check.httpsUrl(v, 'input.avatarPath', input.avatarPath);
      const source =
        input.source == null
          ? null
          : check.optionalText(v, 'input.source', input.source, LIMITS.shortText);
      const address =
        input.address == null ? null : parseAddress(v, 'input.address', input.address);
      const tagRefs = parseTags(v, 'input.tags', input.tags ?? []);
      const notes = parseNotes(v, 'input.notes', input.notes ?? [], false);
      v.throwIfAny();

      const preference = input.preference ?? {};
      const compliance = input.complianceConfig ?? {};
      const initialCompliance = {
        serviceRelatedChannels: channels(compliance.serviceRelatedChannels ?? []),
        marketingCampaignsChannels: channels(compliance.marketingCampaignsChannels ?? []),
        brandedAppEnabled: compliance.brandedAppEnabled ?? false,
        isAgreedMarketingPolicy: compliance.isAgreedMarketingPolicy ?? false,
        isConsented: compliance.isConsented ?? false,
      };
      return repos.transaction(async (tx) => {
        const now = await tx.company.reserveCustomers(1, customerQuota);
        if (now === null) {
          throw new ResourceExhausted(
            `Company ${principal.companyId} has reached its quota of ${customerQuota} customers`,
          );
        }
        const id = newId('customer');
        const customer = await tx.customers.insert({
          id,
          preferredBusinessId: preferredBusinessId!,
          firstName: firstName!,
          lastName: lastName!,
          phone: phone!,
          email,
          colorCode,
          avatarPath,
          source: source ?? null,
          referralSourceId: await referralSourceId(tx, source ?? null),
          receiveAutoMessage: preference.receiveAutoMessage ?? true,
          receiveAutoEmail: preference.receiveAutoEmail ?? true,
          subscribeToMarketingEmails: preference.subscribeToMarketingEmails ?? false,
          receiveAppointmentReminder: preference.receiveAppointmentReminder ?? true,
          ...initialCompliance,
          createdBy: actor,
          createdTime: now,
          lastUpdatedBy: actor,
          lastUpdatedTime: now,
        });
        // The trail starts with every field's first value, consent above all.
        await audit.record(tx, id, complianceDiff(null, { ...initialCompliance }), now);
        if (address) await writeAddress(tx, id, address, now);
        const tags = await resolveTags(tx, tagRefs, actor, now);
        await tx.tags.link(
          id,
          tags.map((tag) => tag.id),
          actor,
          now,
        );
        await tx.notes.insertMany(
          notes.added.map((note) => ({ id: newId('note'), customerId: id, note })),
          actor,
          now,
        );
        return customer;
      });
    },

    /**
     * UpdateCustomer: absent fields keep their value, null clears a clearable one; the address
     * replaces the PRIMARY one, tags become the given set, notes are appended or edited.
     */
    async update(input: UpdateCustomerInput): Promise<CustomerRow> {
      requireOwnCompany(principal, input.companyId, 'input.companyId');

      const v = new Violations();
      const patch: CustomerPatch = {};
      if (
        input.preferredBusinessId !== undefined &&
        notNull(v, 'input.preferredBusinessId', input.preferredBusinessId)
      ) {
        patch.preferredBusinessId = check.identifier(
          v,
          'input.preferredBusinessId',
          input.preferredBusinessId,
        );
      }
      if (input.firstName !== undefined && notNull(v, 'input.firstName', input.firstName)) {
        patch.firstName = check.requiredText(v, 'input.firstName', input.firstName, LIMITS.name);
      }
      if (input.lastName !== undefined && notNull(v, 'input.lastName', input.lastName)) {
        patch.lastName = check.requiredText(v, 'input.lastName', input.lastName, LIMITS.name);
      }
      if (input.phone !== undefined && notNull(v, 'input.phone', input.phone)) {
        patch.phone = check.phone(v, 'input.phone', input.phone);
      }
      if (input.status !== undefined && notNull(v, 'input.status', input.status)) {
        patch.status = input.status;
      }
      if (input.email !== undefined) {
        patch.email = input.email === null ? null : check.email(v, 'input.email', input.email);
      }
      if (input.colorCode !== undefined) {
        patch.colorCode =
          input.colorCode === null ? null : check.colorCode(v, 'input.colorCode', input.colorCode);
      }
      if (input.avatarPath !== undefined) {
        patch.avatarPath =
          input.avatarPath === null
            ? null
            : check.httpsUrl(v, 'input.avatarPath', input.avatarPath);
      }
      let source: string | null | undefined;
      if (input.source !== undefined) {
        source =
          input.source === null
            ? null
            : check.optionalText(v, 'input.source', input.source, LIMITS.shortText);
      }
      if (input.preference !== undefined && notNull(v, 'input.preference', input.preference)) {
        for (const [key, value] of Object.entries(input.preference)) {
          if (value !== undefined && notNull(v, `input.preference.${key}`, value)) {
            patch[key as keyof typeof input.preference] = value;
          }
        }
      }
      if (
        input.complianceConfig !== undefined &&
        notNull(v, 'input.complianceConfig', input.complianceConfig)
      ) {
        const { serviceRelatedChannels, marketingCampaignsChannels, ...flags } =
          input.complianceConfig;
        for (const [key, wrapper] of Object.entries({
          serviceRelatedChannels,
          marketingCampaignsChannels,
        })) {
          if (wrapper !== undefined && notNull(v, `input.complianceConfig.${key}`, wrapper)) {
            patch[key as 'serviceRelatedChannels'] = channels(wrapper.channels);
          }
        }
        for (const [key, value] of Object.entries(flags)) {
          if (value !== undefined && notNull(v, `input.complianceConfig.${key}`, value)) {
            patch[key as keyof typeof flags] = value;
          }
        }
      }
      let address: ParsedAddress | null | undefined;
      if (input.address !== undefined) {
        address = input.address === null ? null : parseAddress(v, 'input.address', input.address);
      }
      let tagRefs: TagRef[] | undefined;
      if (input.tags !== undefined && notNull(v, 'input.tags', input.tags)) {
        tagRefs = parseTags(v, 'input.tags', input.tags);
      }
      let notes: ReturnType<typeof parseNotes> | undefined;
      if (input.notes !== undefined && notNull(v, 'input.notes', input.notes)) {
        notes = parseNotes(v, 'input.notes', input.notes, true);
      }
      v.throwIfAny();

      const { customer } = await changeCustomer(
        serviceContext,
        input.id,
        async ({ tx, customer: current, now }) => {
          await audit.record(tx, current.id, complianceDiff(current, patch), now);
          if (source !== undefined) {
            patch.source = source;
            patch.referralSourceId = await referralSourceId(tx, source);
          }
          if (address === null) await tx.addresses.deletePrimary(current.id);
          else if (address !== undefined) await writeAddress(tx, current.id, address, now);
          if (tagRefs !== undefined) {
            const tagIds = (await resolveTags(tx, tagRefs, actor, now)).map((tag) => tag.id);
            await tx.tags.unlinkAllBut(current.id, tagIds);
            await tx.tags.link(current.id, tagIds, actor, now);
          }
          if (notes !== undefined) {
            for (const edit of notes.edited) {
              const edited = await tx.notes.updateText(current.id, edit.id, edit.note, actor, now);
              if (!edited) throw new NotFound('Note', edit.id);
            }
            await tx.notes.insertMany(
              notes.added.map((note) => ({ id: newId('note'), customerId: current.id, note })),
              actor,
              now,
            );
          }
          // Every successful update moves lastUpdatedTime, even one that changes no value.
          return { value: null, changed: true, patch };
        },
      );
      return customer;
    },
  };
}

export type CustomerService = ReturnType<typeof customerService>;

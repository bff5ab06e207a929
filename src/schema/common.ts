// Enums and inputs shared by several types.
import { addressType, complianceChannel, customerStatus } from '../db/schema.js';
import { builder } from './builder.js';

export const CustomerStatus = builder.enumType('CustomerStatus', {
  description: 'Whether the customer is currently served.',
  values: {
    ACTIVE: { value: customerStatus.enumValues[0], description: 'A current customer.' },
    INACTIVE: {
      value: customerStatus.enumValues[1],
      description: 'No longer served; kept for history.',
    },
  },
});

export const AddressType = builder.enumType('AddressType', {
  description: 'The role of an address.',
  values: {
    PRIMARY: {
      value: addressType.enumValues[0],
      description: 'The main address; at most one per customer.',
    },
    SECONDARY: { value: addressType.enumValues[1], description: 'Any further address.' },
  },
});

export const ComplianceChannel = builder.enumType('ComplianceChannel', {
  description: 'A channel through which the business may contact a customer.',
  values: {
    COMPLIANCE_CHANNEL_SMS: {
      value: complianceChannel.enumValues[0],
      description: 'SMS text messages.',
    },
    COMPLIANCE_CHANNEL_EMAIL: { value: complianceChannel.enumValues[1], description: 'E-mail.' },
    COMPLIANCE_CHANNEL_AUTO_CALL: {
      value: complianceChannel.enumValues[2],
      description: 'Automated phone calls.',
    },
  },
});

export const IntervalInput = builder.inputType('IntervalInput', {
  description: 'A time range: startTime inclusive, endTime exclusive; equal bounds match nothing.',
  fields: (t) => ({
    startTime: t.field({ type: 'DateTime', description: 'Inclusive.' }),
    endTime: t.field({ type: 'DateTime', description: 'Exclusive.' }),
  }),
});

/** Page size arguments of every list: `first` (1..500) and an `after` cursor. */
export const DEFAULT_PAGE_SIZE = 20;

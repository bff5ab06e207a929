// GenCustomerCofLink: a secure, single-use link for adding a card on file.
import { builder } from './builder.js';
import { afterWrite } from './common.js';

const GenerateCustomerCofLinkInput = builder.inputType('GenerateCustomerCofLinkInput', {
  description: 'The customer to make a card-on-file link for.',
  fields: (t) => ({
    idempotencyKey: t.string({
      description:
        'A retry with the same key makes no second link; as the token is shown once, it answers FAILED_PRECONDITION instead of the link (see the message).',
    }),
    customerId: t.id({ required: true, description: 'The customer (cus_…).' }),
  }),
});

const GenerateCustomerCofLinkPayload = builder
  .objectRef<{ link: string; expiresTime: Date }>('GenerateCustomerCofLinkPayload')
  .implement({
    description: 'The result of generateCustomerCofLink.',
    fields: (t) => ({
      link: t.expose('link', {
        type: 'URL',
        description: 'PUBLIC_BASE_URL/cof/<token>: send it to the customer; it works once.',
      }),
      expiresTime: t.expose('expiresTime', {
        type: 'DateTime',
        description: 'When it stops working (24 hours).',
      }),
    }),
  });

builder.mutationField('generateCustomerCofLink', (t) =>
  t.field({
    type: GenerateCustomerCofLinkPayload,
    description:
      "GenCustomerCofLink: a secure, single-use link, valid 24 hours. The customer's earlier unused links stop working.",
    args: {
      input: t.arg({
        type: GenerateCustomerCofLinkInput,
        required: true,
        description: 'The customer.',
      }),
    },
    resolve: async (_root, { input }, ctx) =>
      afterWrite(ctx, await ctx.services.cofLinks.generate(input)),
  }),
);

// Webhook endpoints and their deliveries (scope webhooks:manage, in place of the Query's
// customers:read and the Mutation's customers:write).
import type { WebhookDeliveryRow, WebhookEndpointRow } from '../db/schema.js';
import type {
  CreateWebhookEndpointInput as CreateShape,
  UpdateWebhookEndpointInput as UpdateShape,
} from '../services/webhooks.js';
import { builder } from './builder.js';
import { connection, Node } from './common.js';
import { CustomerEventType } from './events.js';

const MANAGE = { skipTypeScopes: true, authScopes: { 'webhooks:manage': true } } as const;

type EventTypeValue = typeof CustomerEventType.$inferType;

export const WebhookEndpoint = builder.objectRef<WebhookEndpointRow>('WebhookEndpoint').implement({
  authScopes: { 'webhooks:manage': true },
  description:
    "An HTTPS endpoint that receives the company's events, signed per the Standard Webhooks spec.",
  interfaces: [Node],
  fields: (t) => ({
    url: t.expose('url', { type: 'URL', description: 'Where events are POSTed.' }),
    eventTypes: t.field({
      type: [CustomerEventType],
      description: 'The event types it receives.',
      resolve: (endpoint) => endpoint.eventTypes as EventTypeValue[],
    }),
    enabled: t.exposeBoolean('enabled', {
      description: 'Disabled endpoints get no new deliveries.',
    }),
    description: t.exposeString('description', { nullable: true, description: 'Your note.' }),
    createdTime: t.expose('createdTime', { type: 'DateTime', description: 'When it was made.' }),
  }),
});

const DeliveryStatus = builder.enumType('WebhookDeliveryStatus', {
  description: 'Where a delivery stands.',
  values: {
    PENDING: { description: 'Not delivered yet: due, being sent, or waiting for a retry.' },
    SUCCEEDED: { description: 'The endpoint answered 2xx.' },
    FAILED: { description: 'Every attempt of the schedule failed.' },
  },
});

const WebhookDelivery = builder.objectRef<WebhookDeliveryRow>('WebhookDelivery').implement({
  authScopes: { 'webhooks:manage': true },
  description: 'One event sent to one endpoint, with its attempts.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'whd_…' }),
    eventId: t.exposeID('eventId', { description: 'The event (cev_…): the webhook-id header.' }),
    eventType: t.field({
      type: CustomerEventType,
      description: "The event's type.",
      resolve: (delivery) => delivery.eventType as EventTypeValue,
    }),
    attempts: t.exposeInt('attempts', { description: 'Attempts made so far.' }),
    status: t.field({
      type: DeliveryStatus,
      description: 'Where it stands.',
      resolve: (delivery) => delivery.status as 'PENDING' | 'SUCCEEDED' | 'FAILED',
    }),
    lastResponseStatus: t.exposeInt('lastResponseStatus', {
      nullable: true,
      description: "The last attempt's HTTP status; null when it got no answer.",
    }),
    lastError: t.exposeString('lastError', {
      nullable: true,
      description: 'Why the last attempt failed.',
    }),
    lastAttemptTime: t.expose('lastAttemptTime', {
      type: 'DateTime',
      nullable: true,
      description: 'When the last attempt was made.',
    }),
    nextAttemptTime: t.expose('nextAttemptTime', {
      type: 'DateTime',
      nullable: true,
      description: 'When the next attempt is due; null once settled.',
    }),
  }),
});

const WebhookDeliveryConnection = connection('WebhookDelivery', WebhookDelivery, {
  connection: "A page of an endpoint's deliveries, newest first.",
  edge: 'A delivery and its cursor.',
});

builder.queryFields((t) => ({
  webhookEndpoints: t.field({
    ...MANAGE,
    type: [WebhookEndpoint],
    description: "The company's webhook endpoints, oldest first.",
    args: { companyId: t.arg.id({ required: true, description: 'Your company.' }) },
    resolve: (_root, { companyId }, ctx) => ctx.services.webhooks.list(companyId),
  }),
  webhookDeliveries: t.field({
    ...MANAGE,
    type: WebhookDeliveryConnection,
    description: "An endpoint's deliveries, newest first.",
    args: {
      endpointId: t.arg.id({ required: true, description: 'The endpoint (whe_…).' }),
      first: t.arg.int({ defaultValue: 50, description: 'Page size, 1..500.' }),
      after: t.arg.string({ description: 'The endCursor of the previous page.' }),
    },
    resolve: (_root, { endpointId, first, after }, ctx) =>
      ctx.services.webhooks.deliveries(endpointId, { first: first ?? 50, after }),
  }),
}));

const CreateInput = builder.inputType('CreateWebhookEndpointInput', {
  description: 'A new webhook endpoint.',
  fields: (t) => ({
    companyId: t.id({ required: true, description: 'Your company.' }),
    url: t.field({ type: 'URL', required: true, description: 'An https:// URL.' }),
    eventTypes: t.field({
      type: [CustomerEventType],
      required: true,
      description: 'The event types it receives (at least one).',
    }),
    description: t.string({ description: 'Your note, at most 255 characters.' }),
  }),
});
const UpdateInput = builder.inputType('UpdateWebhookEndpointInput', {
  description: 'Changes to an endpoint; absent fields keep their value.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The endpoint (whe_…).' }),
    url: t.field({ type: 'URL', description: 'A new https:// URL.' }),
    eventTypes: t.field({ type: [CustomerEventType], description: 'The new event types.' }),
    enabled: t.boolean({ description: 'false: no new deliveries.' }),
    description: t.string({ description: 'Your note; null clears it.' }),
  }),
});
const IdInput = (name: string, description: string) =>
  builder.inputType(name, {
    description,
    fields: (t) => ({ id: t.id({ required: true, description: 'The endpoint (whe_…).' }) }),
  });
const DeleteInput = IdInput(
  'DeleteWebhookEndpointInput',
  'An endpoint to delete, with its deliveries.',
);
const RotateInput = IdInput(
  'RotateWebhookEndpointSecretInput',
  'An endpoint whose secret to replace.',
);
const RedeliverInput = builder.inputType('RedeliverWebhookEventInput', {
  description: 'An event to send to an endpoint again.',
  fields: (t) => ({
    endpointId: t.id({ required: true, description: 'The endpoint (whe_…).' }),
    eventId: t.id({ required: true, description: 'The event (cev_…).' }),
  }),
});

const WithSecret = (name: string, description: string) =>
  builder.objectRef<{ endpoint: WebhookEndpointRow; secret: string }>(name).implement({
    description,
    fields: (t) => ({
      endpoint: t.expose('endpoint', { type: WebhookEndpoint, description: 'The endpoint.' }),
      secret: t.exposeString('secret', {
        description: 'The signing secret (whsec_…), shown only here.',
      }),
    }),
  });
const CreatePayload = WithSecret(
  'CreateWebhookEndpointPayload',
  'The signing secret (whsec_…) is shown here once.',
);
const RotatePayload = WithSecret(
  'RotateWebhookEndpointSecretPayload',
  'The new secret; the old one keeps signing alongside it for 24 hours.',
);
const UpdatePayload = builder
  .objectRef<{ endpoint: WebhookEndpointRow }>('UpdateWebhookEndpointPayload')
  .implement({
    description: 'The result of updateWebhookEndpoint.',
    fields: (t) => ({
      endpoint: t.expose('endpoint', { type: WebhookEndpoint, description: 'The endpoint.' }),
    }),
  });
const DeletePayload = builder
  .objectRef<{ deletedEndpointId: string }>('DeleteWebhookEndpointPayload')
  .implement({
    description: 'The result of deleteWebhookEndpoint.',
    fields: (t) => ({
      deletedEndpointId: t.exposeID('deletedEndpointId', { description: 'The endpoint deleted.' }),
    }),
  });
const RedeliverPayload = builder
  .objectRef<{ delivery: WebhookDeliveryRow }>('RedeliverWebhookEventPayload')
  .implement({
    description: 'The result of redeliverWebhookEvent.',
    fields: (t) => ({
      delivery: t.expose('delivery', {
        type: WebhookDelivery,
        description: 'The new delivery, due now.',
      }),
    }),
  });

builder.mutationFields((t) => ({
  createWebhookEndpoint: t.field({
    ...MANAGE,
    type: CreatePayload,
    description: 'Registers an endpoint; its secret is shown once.',
    args: { input: t.arg({ type: CreateInput, required: true, description: 'The endpoint.' }) },
    resolve: (_root, { input }, ctx) => ctx.services.webhooks.create(input as CreateShape),
  }),
  updateWebhookEndpoint: t.field({
    ...MANAGE,
    type: UpdatePayload,
    description: "Changes an endpoint's URL, event types, state or description.",
    args: { input: t.arg({ type: UpdateInput, required: true, description: 'The changes.' }) },
    resolve: async (_root, { input }, ctx) => ({
      endpoint: await ctx.services.webhooks.update(input as UpdateShape),
    }),
  }),
  deleteWebhookEndpoint: t.field({
    ...MANAGE,
    type: DeletePayload,
    description: 'Deletes an endpoint and its deliveries.',
    args: { input: t.arg({ type: DeleteInput, required: true, description: 'The endpoint.' }) },
    resolve: async (_root, { input }, ctx) => ({
      deletedEndpointId: await ctx.services.webhooks.remove(input.id),
    }),
  }),
  rotateWebhookEndpointSecret: t.field({
    ...MANAGE,
    type: RotatePayload,
    description: 'A new signing secret; the old one signs too for 24 hours.',
    args: { input: t.arg({ type: RotateInput, required: true, description: 'The endpoint.' }) },
    resolve: (_root, { input }, ctx) => ctx.services.webhooks.rotateSecret(input.id),
  }),
  redeliverWebhookEvent: t.field({
    ...MANAGE,
    type: RedeliverPayload,
    description: 'Sends an event to an endpoint again (a new delivery, due now).',
    args: { input: t.arg({ type: RedeliverInput, required: true, description: 'What to send.' }) },
    resolve: async (_root, { input }, ctx) => ({
      delivery: await ctx.services.webhooks.redeliver(input.endpointId, input.eventId),
    }),
  }),
}));

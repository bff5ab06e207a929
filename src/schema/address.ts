import type { AddressRow } from '../db/schema.js';
import { builder } from './builder.js';
import { AddressType } from './common.js';

const LatLng = builder.objectRef<{ latitude: number; longitude: number }>('LatLng').implement({
  authScopes: { 'customers:read': true },
  description: 'A point on Earth.',
  fields: (t) => ({
    latitude: t.expose('latitude', { type: 'Latitude', description: 'Degrees north, -90..90.' }),
    longitude: t.expose('longitude', {
      type: 'Longitude',
      description: 'Degrees east, -180..180.',
    }),
  }),
});

export const Address = builder.objectRef<AddressRow>('Address').implement({
  authScopes: { 'customers:read': true },
  description: "A customer's physical address.",
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The address ID (cad_…).' }),
    address1: t.exposeString('address1', { nullable: true, description: 'Street and number.' }),
    address2: t.exposeString('address2', {
      nullable: true,
      description: 'Apartment, suite, floor.',
    }),
    city: t.exposeString('city', { nullable: true, description: 'City.' }),
    state: t.exposeString('state', { nullable: true, description: 'State, province or region.' }),
    postalCode: t.exposeString('postalCode', {
      nullable: true,
      description: 'Postal or ZIP code.',
    }),
    country: t.exposeString('country', { nullable: true, description: 'Country.' }),
    coordinate: t.field({
      type: LatLng,
      nullable: true,
      description: 'Where it is, when known.',
      resolve: (a) =>
        a.latitude === null || a.longitude === null
          ? null
          : { latitude: a.latitude, longitude: a.longitude },
    }),
    type: t.expose('type', { type: AddressType, description: 'PRIMARY or SECONDARY.' }),
  }),
});

const LatLngInput = builder.inputType('LatLngInput', {
  description: 'A point on Earth.',
  fields: (t) => ({
    latitude: t.float({ required: true, description: 'Degrees north, -90..90.' }),
    longitude: t.float({ required: true, description: 'Degrees east, -180..180.' }),
  }),
});

export const AddressInput = builder.inputType('AddressInput', {
  description:
    'An address. On createCustomer/updateCustomer it becomes the PRIMARY address (replacing the ' +
    'current one), unless type is SECONDARY, which adds a secondary address.',
  fields: (t) => ({
    address1: t.string({ description: 'Street and number.' }),
    address2: t.string({ description: 'Apartment, suite, floor.' }),
    city: t.string({ description: 'City.' }),
    state: t.string({ description: 'State, province or region.' }),
    postalCode: t.string({ description: 'Postal or ZIP code.' }),
    country: t.string({ description: 'Country.' }),
    coordinate: t.field({ type: LatLngInput, description: 'Where it is.' }),
    type: t.field({ type: AddressType, description: 'PRIMARY (the default) or SECONDARY.' }),
    street: t.string({
      description: "Alias of address1, as in the seed's examples.",
      deprecationReason: 'Use address1.',
    }),
    zip: t.string({
      description: "Alias of postalCode, as in the seed's examples.",
      deprecationReason: 'Use postalCode.',
    }),
  }),
});

// Customers and the identities (phone, e-mail, WeChat openid, …) by which they reach us.
// An identity belongs to one customer per tenant; normalisation and matching come later.
export {
  addIdentity,
  type Customer,
  type CustomerChanges,
  createCustomer,
  getCustomer,
  IDENTITY_KINDS,
  type Identity,
  type IdentityKind,
  type IdentityRef,
  listCustomers,
  type NewCustomer,
  type NewIdentity,
  normalizeIdentity,
  type Resolved,
  removeIdentity,
  resolveCustomerByIdentity,
  updateCustomer,
} from './customers.js';

import { BindAxn } from './bind-axn.js';
import { BindAxnExtension } from './bind-axn-extension.js';
import type { AnyOperation } from './operation.js';
import { QueryRecordFileDownloadUrl } from './query-record-file-download-url.js';
import { QuerySecretNoDetail } from './query-secret-no-detail.js';
import { QuerySecretNoRemain } from './query-secret-no-remain.js';
import { QuerySubsId } from './query-subs-id.js';
import { QuerySubscriptionDetail } from './query-subscription-detail.js';
import { UnbindSubscription } from './unbind-subscription.js';
import { UpdateSubscription } from './update-subscription.js';

export * from './fields.js';
export * from './operation.js';
export type { SecretNoStatus, SecretNoVendor } from './query-secret-no-detail.js';
export type { OperateType } from './update-subscription.js';
export {
  BindAxn,
  BindAxnExtension,
  QueryRecordFileDownloadUrl,
  QuerySecretNoDetail,
  QuerySecretNoRemain,
  QuerySubscriptionDetail,
  QuerySubsId,
  UnbindSubscription,
  UpdateSubscription,
};

/** Every modelled operation, by action name. */
export const OPERATIONS: Readonly<Record<string, AnyOperation>> = {
  BindAxnExtension,
  BindAxn,
  UnbindSubscription,
  UpdateSubscription,
  QuerySubscriptionDetail,
  QuerySubsId,
  QuerySecretNoRemain,
  QuerySecretNoDetail,
  QueryRecordFileDownloadUrl,
};

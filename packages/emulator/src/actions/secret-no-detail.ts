import { refuse } from '../api-failure.js';
import type { Params } from '../request-params.js';
import type { ActionContext, ActionResult } from './context.js';
import { checkSecretNo, poolOf, required } from './rules.js';

/**
 * Provinces of the cities numbers are most often added in (the demo seed's among them), in the form the
 * service writes both (`西安` / `陕西`, no 市 or 省). The store keeps only a number's city; a table spares a
 * schema migration, and a city not in it is answered without a province — the field is optional.
 */
const PROVINCE_OF: Readonly<Record<string, string>> = {
  北京: '北京',
  上海: '上海',
  天津: '天津',
  重庆: '重庆',
  广州: '广东',
  深圳: '广东',
  东莞: '广东',
  佛山: '广东',
  杭州: '浙江',
  宁波: '浙江',
  南京: '江苏',
  苏州: '江苏',
  成都: '四川',
  武汉: '湖北',
  西安: '陕西',
  长沙: '湖南',
  郑州: '河南',
  济南: '山东',
  青岛: '山东',
  福州: '福建',
  厦门: '福建',
  合肥: '安徽',
  沈阳: '辽宁',
  大连: '辽宁',
};

/**
 * The carrier (`Vendor` 1 China Mobile, 2 China Unicom, 3 China Telecom) whose network a virtual-operator
 * number rides, by its 170/171 segment — the numbers the demo pool holds. Other numbers get no `Vendor`:
 * the store does not record one and a guess would be worse than the documented absence.
 */
function vendorOf(secretNo: string): number | undefined {
  if (secretNo.startsWith('171')) return 2;
  if (!secretNo.startsWith('170')) return undefined;
  const segment = secretNo[3];
  if (segment === '0' || segment === '1' || segment === '2') return 3;
  if (segment === '3' || segment === '5' || segment === '6') return 1;
  if (segment === '4' || segment === '7' || segment === '8' || segment === '9') return 2;
  return undefined;
}

/**
 * `QuerySecretNoDetail`: where an X number of the pool is and whether it carries a binding. `SecretStatus`
 * is 1 while any binding on X is live, else 0; a number disabled in the store (never allocated) is 3,
 * frozen, the documented state closest to it. The store has no purchase time or certification, so
 * `PurchaseTime` and `CertifyStatus` are left out. A number that is not in this pool is
 * `isv.NO_NOT_EXIST`, as for a number that is not the account's.
 */
export function querySecretNoDetail(params: Params, context: ActionContext): ActionResult {
  const secretNo = checkSecretNo(required(params, 'SecretNo'));
  // Both parameters are required by the action's metadata, unlike the pool-or-product calls.
  required(params, 'PoolKey');
  const pool = poolOf(params, context.store);
  const number = context.store.number(secretNo);
  if (!number || number.poolKey !== pool.key) {
    throw refuse('isv.NO_NOT_EXIST', 'secretNo does not exist in this pool');
  }
  const status =
    number.status === 'disabled' ? 3 : context.store.hasAnyActive(secretNo, context.clock.now()) ? 1 : 0;
  return {
    SecretNoInfoDTO: {
      City: number.city,
      Province: PROVINCE_OF[number.city],
      Vendor: vendorOf(secretNo),
      SecretStatus: status,
    },
  };
}

import { describe, expect, it } from 'vitest';
import { deliveryIdsInclude, formatDeliveryIds } from '../../src/alerts/delivery-ids.ts';

describe('delivery ids a post carries', () => {
  it.each([
    [[57], '57'],
    [[5, 9], '5,9'],
    [[7, 8], '7-8'],
    [[101, 105, 109, 113, 120], '101-113/4,120'],
    [[3, 1, 2, 2, 10, 20, 30], '1-3,10-30/10'],
    [[200, 201, 202, 300, 301, 999], '200-202,300-301,999'],
  ])('writes %j as %s, and names exactly those', (ids, list) => {
    expect(formatDeliveryIds(ids, 1000)).toBe(list);
    const max = Math.max(...ids);
    for (let id = 0; id <= max + 2; id++) expect(deliveryIdsInclude(list, id)).toBe(ids.includes(id));
  });

  it('counts what does not fit, and never names an id it left out', () => {
    const ids = Array.from({ length: 300 }, (_, i) => 1000 + i * i);
    const list = formatDeliveryIds(ids, 200);
    expect(list.length).toBeLessThanOrEqual(200);
    const named = ids.filter((id) => deliveryIdsInclude(list, id));
    expect(named).toEqual(ids.slice(0, named.length));
    expect(list.endsWith(`,+${ids.length - named.length}`)).toBe(true);
    expect(formatDeliveryIds([123456], 3)).toBe('+1');
  });

  it('reads nothing into a list it did not write', () => {
    expect(deliveryIdsInclude('', 1)).toBe(false);
    expect(deliveryIdsInclude('+5', 5)).toBe(false);
    expect(deliveryIdsInclude('abc,7-x', 7)).toBe(false);
  });
});

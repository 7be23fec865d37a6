import { NO_FILTERS, passesFilters, type FilterTarget, type OrderFilters } from './delivery-filter';

const IPHONE: FilterTarget = { platform: 'IOS', appVersion: '8.6.1', segmentId: 'user1234' };

describe('passesFilters', () => {
  const passes = (filters: Partial<OrderFilters>, target: Partial<FilterTarget> = {}) => passesFilters({ ...NO_FILTERS, ...filters }, { ...IPHONE, ...target });

  it('lets everything through without filters, unknown versions and unbound devices included', () => {
    expect(passes({})).toBe(true);
    expect(passes({}, { appVersion: '', segmentId: null, platform: 'PLATFORM_UNSPECIFIED' })).toBe(true);
  });

  it('filters by platform', () => {
    expect(passes({ platforms: ['IOS', 'ANDROID'] })).toBe(true);
    expect(passes({ platforms: ['ANDROID'] })).toBe(false);
    expect(passes({ platforms: ['HARMONY'] }, { platform: 'HARMONY' })).toBe(true);
    expect(passes({ platforms: ['IOS'] }, { platform: 'PLATFORM_UNSPECIFIED' })).toBe(false);
  });

  it('treats both version bounds as inclusive', () => {
    expect(passes({ appMinVersion: '8.6.1' })).toBe(true);
    expect(passes({ appMinVersion: '8.6.2' })).toBe(false);
    expect(passes({ appMaxVersion: '8.6.1.0' })).toBe(true);
    expect(passes({ appMaxVersion: '8.6.0.9999' })).toBe(false);
    expect(passes({ appMinVersion: '8.6', appMaxVersion: '9' })).toBe(true);
    expect(passes({ appMinVersion: '8.6', appMaxVersion: '8.6.0' })).toBe(false);
  });

  it('fails a version filter when the device reported no version', () => {
    expect(passes({ appMinVersion: '0' }, { appVersion: '' })).toBe(false);
    expect(passes({ appMaxVersion: '999' }, { appVersion: '' })).toBe(false);
  });

  it('filters by UID segment, failing devices without a segment id', () => {
    // user1234 -> segment 23
    expect(passes({ uidSegments: [23] })).toBe(true);
    expect(passes({ uidSegments: [1, 2, 99] })).toBe(false);
    expect(passes({ uidSegments: [0] }, { segmentId: null })).toBe(false);
    expect(passes({ uidSegments: [7] }, { segmentId: 'ab' })).toBe(true);
  });

  it('needs every filter to hold', () => {
    expect(passes({ platforms: ['IOS'], appMinVersion: '8', uidSegments: [23] })).toBe(true);
    expect(passes({ platforms: ['IOS'], appMinVersion: '9', uidSegments: [23] })).toBe(false);
  });
});

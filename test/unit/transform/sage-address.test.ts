import { describe, expect, it } from 'vitest';
import { sageAddressFromAddress, transliterate } from '../../../src/core/transform/sage-address-from-address.ts';

const base = {
  name: 'Jane Doe',
  lines: ['1 Main St'],
  city: 'Austin',
  stateOrRegion: 'TX',
  postalCode: '78701',
  countryCode: 'US',
};

describe('Sage address', () => {
  it('transliterates by the library, Latin letters NFKD cannot split included', () => {
    expect(transliterate('Straße Ærøskøbing Łódź Þór Œuvre “quoted” – dash')).toBe(
      'Strasse AEroskobing Lodz Thor OEuvre "quoted" - dash',
    );
  });

  it('turns state and province names into codes and ISO countries into Sage ids', () => {
    expect(sageAddressFromAddress({ ...base, stateOrRegion: 'texas' })).toMatchObject({
      ok: true,
      address: { region: 'TX', countryId: 'USA' },
    });
    expect(
      sageAddressFromAddress({ ...base, stateOrRegion: 'Québec', countryCode: 'CA', postalCode: 'H2X 1Y4' }),
    ).toMatchObject({ ok: true, address: { region: 'QC', countryId: 'CAN' } });
    expect(sageAddressFromAddress({ ...base, countryCode: 'ZZ' }, { countryIds: { ZZ: 'ZZZ' } })).toMatchObject({
      ok: true,
      address: { countryId: 'ZZZ' },
    });
  });

  it('keeps the district as an address line (Amazon districtOrCounty)', () => {
    expect(
      sageAddressFromAddress({
        ...base,
        countryCode: 'TR',
        stateOrRegion: 'Istanbul',
        city: 'Istanbul',
        district: 'Kadıköy',
        postalCode: '34710',
      }),
    ).toMatchObject({
      ok: true,
      address: { lines: ['1 Main St', 'Kadikoy', 'Istanbul'], region: '', countryId: 'TUR' },
    });
  });

  it('reports every field that cannot fit instead of cutting it', () => {
    const r = sageAddressFromAddress(
      {
        name: 'A',
        lines: ['x'.repeat(40), 'y'.repeat(40), 'z'.repeat(41)],
        city: 'Rancho Santa Margarita',
        stateOrRegion: 'Atlantis',
        postalCode: '12345678901',
        countryCode: 'XX',
      },
      { maxLines: 3, field: 'shipTo' },
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.field)).toEqual([
      'shipTo.countryCode',
      'shipTo.lines',
      'shipTo.city',
      'shipTo.postalCode',
    ]);
  });

  it('rejects US states it cannot code and characters with no ASCII form', () => {
    const r = sageAddressFromAddress({ ...base, stateOrRegion: 'Atlantis', lines: ['東京都'] });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.field)).toEqual(['stateOrRegion', 'lines[0]']);
  });
});

/**
 * ISO 3166-1 alpha-2 -> Sage CountryID. Sage keeps its own three-letter codes (tciCountry), which on the
 * installs we know are ISO alpha-3 (`USA`, `CAN`, sage500-facts §2.1 and §6.1); override entries when a site
 * uses other ids. Covers the Amazon marketplaces and their usual ship-to countries.
 */
export const SAGE_COUNTRY_IDS: Readonly<Record<string, string>> = {
  US: 'USA', CA: 'CAN', MX: 'MEX', BR: 'BRA', GB: 'GBR', IE: 'IRL', DE: 'DEU', FR: 'FRA', IT: 'ITA', ES: 'ESP',
  NL: 'NLD', BE: 'BEL', LU: 'LUX', AT: 'AUT', CH: 'CHE', SE: 'SWE', NO: 'NOR', DK: 'DNK', FI: 'FIN', IS: 'ISL',
  PL: 'POL', CZ: 'CZE', SK: 'SVK', HU: 'HUN', PT: 'PRT', GR: 'GRC', RO: 'ROU', BG: 'BGR', HR: 'HRV', SI: 'SVN',
  EE: 'EST', LV: 'LVA', LT: 'LTU', MT: 'MLT', CY: 'CYP', TR: 'TUR', JP: 'JPN', CN: 'CHN', KR: 'KOR', SG: 'SGP',
  AU: 'AUS', NZ: 'NZL', IN: 'IND', AE: 'ARE', SA: 'SAU', EG: 'EGY', ZA: 'ZAF', IL: 'ISR', HK: 'HKG', TW: 'TWN',
  PR: 'PRI', VI: 'VIR', GU: 'GUM', AS: 'ASM', MP: 'MNP',
};

/** US states, DC, territories and military codes; Canadian provinces and territories (names upper-cased). */
export const REGION_CODES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  US: {
    ALABAMA: 'AL', ALASKA: 'AK', ARIZONA: 'AZ', ARKANSAS: 'AR', CALIFORNIA: 'CA', COLORADO: 'CO', CONNECTICUT: 'CT',
    DELAWARE: 'DE', 'DISTRICT OF COLUMBIA': 'DC', FLORIDA: 'FL', GEORGIA: 'GA', HAWAII: 'HI', IDAHO: 'ID',
    ILLINOIS: 'IL', INDIANA: 'IN', IOWA: 'IA', KANSAS: 'KS', KENTUCKY: 'KY', LOUISIANA: 'LA', MAINE: 'ME',
    MARYLAND: 'MD', MASSACHUSETTS: 'MA', MICHIGAN: 'MI', MINNESOTA: 'MN', MISSISSIPPI: 'MS', MISSOURI: 'MO',
    MONTANA: 'MT', NEBRASKA: 'NE', NEVADA: 'NV', 'NEW HAMPSHIRE': 'NH', 'NEW JERSEY': 'NJ', 'NEW MEXICO': 'NM',
    'NEW YORK': 'NY', 'NORTH CAROLINA': 'NC', 'NORTH DAKOTA': 'ND', OHIO: 'OH', OKLAHOMA: 'OK', OREGON: 'OR',
    PENNSYLVANIA: 'PA', 'RHODE ISLAND': 'RI', 'SOUTH CAROLINA': 'SC', 'SOUTH DAKOTA': 'SD', TENNESSEE: 'TN',
    TEXAS: 'TX', UTAH: 'UT', VERMONT: 'VT', VIRGINIA: 'VA', WASHINGTON: 'WA', 'WEST VIRGINIA': 'WV',
    WISCONSIN: 'WI', WYOMING: 'WY', 'PUERTO RICO': 'PR', GUAM: 'GU', 'VIRGIN ISLANDS': 'VI',
    'AMERICAN SAMOA': 'AS', 'NORTHERN MARIANA ISLANDS': 'MP', 'ARMED FORCES AMERICAS': 'AA',
    'ARMED FORCES EUROPE': 'AE', 'ARMED FORCES PACIFIC': 'AP',
  },
  CA: {
    ALBERTA: 'AB', 'BRITISH COLUMBIA': 'BC', MANITOBA: 'MB', 'NEW BRUNSWICK': 'NB', 'NEWFOUNDLAND AND LABRADOR': 'NL',
    NEWFOUNDLAND: 'NL', 'NOVA SCOTIA': 'NS', 'NORTHWEST TERRITORIES': 'NT', NUNAVUT: 'NU', ONTARIO: 'ON',
    'PRINCE EDWARD ISLAND': 'PE', QUEBEC: 'QC', SASKATCHEWAN: 'SK', YUKON: 'YT',
  },
};

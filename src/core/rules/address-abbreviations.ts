/**
 * Word abbreviations used to fit an address into Sage's short columns (40-character lines, 20-character city).
 * Keys are lower-case whole words (after transliteration to ASCII); a key starting with `-` is a word ending
 * (German compounds: `Hauptstrasse` -> `Hauptstr.`). Values are written as they appear in the address; an
 * upper-case original gets an upper-case abbreviation.
 *
 * US: USPS Publication 28, Appendix C1 (street suffixes), C2 (secondary unit designators) and the directionals of
 * §233; the place words are the ones USPS itself uses in its 13-character city names (e.g. `RCHO STA MARG`).
 * Canada: Canada Post's street types (English and French); UK: Royal Mail's usual thoroughfare abbreviations;
 * Germany: Deutsche Post's usual forms. Other countries use the common English street words.
 */
export interface AbbreviationTable {
  /** Words of street lines (suffixes, unit designators, directionals). */
  readonly street: Readonly<Record<string, string>>;
  /** Words of city and place names. */
  readonly place: Readonly<Record<string, string>>;
}

const ENGLISH_STREET: Readonly<Record<string, string>> = {
  street: 'St',
  road: 'Rd',
  avenue: 'Ave',
  boulevard: 'Blvd',
  drive: 'Dr',
  lane: 'Ln',
  court: 'Ct',
  place: 'Pl',
  square: 'Sq',
  highway: 'Hwy',
  building: 'Bldg',
  apartment: 'Apt',
  suite: 'Ste',
  floor: 'Fl',
  department: 'Dept',
  room: 'Rm',
  number: 'No',
};

const US_STREET: Readonly<Record<string, string>> = {
  ...ENGLISH_STREET,
  // Publication 28 C1: street suffixes.
  alley: 'Aly',
  annex: 'Anx',
  beach: 'Bch',
  bridge: 'Brg',
  center: 'Ctr',
  centre: 'Ctr',
  circle: 'Cir',
  crescent: 'Cres',
  crossing: 'Xing',
  expressway: 'Expy',
  extension: 'Ext',
  freeway: 'Fwy',
  gardens: 'Gdns',
  heights: 'Hts',
  junction: 'Jct',
  mountain: 'Mtn',
  parkway: 'Pkwy',
  plaza: 'Plz',
  point: 'Pt',
  ridge: 'Rdg',
  route: 'Rte',
  terrace: 'Ter',
  trail: 'Trl',
  turnpike: 'Tpke',
  village: 'Vlg',
  // C2: secondary unit designators.
  basement: 'Bsmt',
  front: 'Frnt',
  hangar: 'Hngr',
  lobby: 'Lbby',
  lower: 'Lowr',
  office: 'Ofc',
  penthouse: 'Ph',
  space: 'Spc',
  trailer: 'Trlr',
  upper: 'Uppr',
  // §233: directionals.
  north: 'N',
  south: 'S',
  east: 'E',
  west: 'W',
  northeast: 'NE',
  northwest: 'NW',
  southeast: 'SE',
  southwest: 'SW',
  'north-east': 'NE',
  'north-west': 'NW',
  'south-east': 'SE',
  'south-west': 'SW',
};

const US_PLACE: Readonly<Record<string, string>> = {
  saint: 'St',
  sainte: 'Ste',
  santa: 'Sta',
  san: 'S',
  fort: 'Ft',
  mount: 'Mt',
  mountain: 'Mtn',
  point: 'Pt',
  port: 'Pt',
  rancho: 'Rcho',
  north: 'N',
  south: 'S',
  east: 'E',
  west: 'W',
  heights: 'Hts',
  springs: 'Spgs',
  junction: 'Jct',
  village: 'Vlg',
  center: 'Ctr',
  beach: 'Bch',
  island: 'Is',
  lake: 'Lk',
  falls: 'Fls',
  park: 'Pk',
  township: 'Twp',
};

const CA_STREET: Readonly<Record<string, string>> = {
  ...ENGLISH_STREET,
  crescent: 'Cres',
  parkway: 'Pky',
  terrace: 'Terr',
  // French street types Canada Post abbreviates.
  boulevard: 'Boul',
  chemin: 'Ch',
  montee: 'Mtee',
  carre: 'Car',
  autoroute: 'Aut',
  appartement: 'App',
  bureau: 'Bur',
  nord: 'N',
  sud: 'S',
  est: 'E',
  ouest: 'O',
};

const CA_PLACE: Readonly<Record<string, string>> = {
  saint: 'St',
  sainte: 'Ste',
  // Quebec's short municipality names write `sur` as `s` (St-Jean-s-Richelieu).
  sur: 's',
  mount: 'Mt',
  fort: 'Ft',
  north: 'N',
  south: 'S',
  east: 'E',
  west: 'W',
};

const GB_STREET: Readonly<Record<string, string>> = {
  ...ENGLISH_STREET,
  close: 'Cl',
  crescent: 'Cres',
  gardens: 'Gdns',
  terrace: 'Terr',
  grove: 'Gr',
  industrial: 'Ind',
  estate: 'Est',
  business: 'Bus',
  house: 'Ho',
};

const GB_PLACE: Readonly<Record<string, string>> = {
  saint: 'St',
  great: 'Gt',
  little: 'Lt',
  north: 'N',
  south: 'S',
  east: 'E',
  west: 'W',
};

const DE_STREET: Readonly<Record<string, string>> = {
  strasse: 'Str.',
  '-strasse': 'str.',
  platz: 'Pl.',
  '-platz': 'pl.',
  weg: 'Weg',
  gebaude: 'Geb.',
  etage: 'Et.',
  wohnung: 'Whg.',
  hinterhaus: 'HH',
  vorderhaus: 'VH',
  // A company line often holds the legal form spelled out.
  gesellschaft: 'Ges.',
};

const DE_PLACE: Readonly<Record<string, string>> = {
  sankt: 'St.',
  bad: 'Bd.',
  am: 'a.',
  an: 'a.',
  der: 'd.',
  im: 'i.',
  ober: 'Ob.',
  unter: 'Unt.',
};

const JP_STREET: Readonly<Record<string, string>> = {
  ...ENGLISH_STREET,
  // Romanised Japanese building words and prefecture.
  mansion: 'Mans',
  heights: 'Hts',
  prefecture: 'Pref',
};

const CN_STREET: Readonly<Record<string, string>> = {
  ...ENGLISH_STREET,
  district: 'Dist',
  province: 'Prov',
  county: 'Cnty',
  village: 'Vlg',
  industrial: 'Ind',
};

const ENGLISH_PLACE: Readonly<Record<string, string>> = {
  saint: 'St',
  mount: 'Mt',
  fort: 'Ft',
  north: 'N',
  south: 'S',
  east: 'E',
  west: 'W',
};

const TABLES: Readonly<Record<string, AbbreviationTable>> = {
  US: { street: US_STREET, place: US_PLACE },
  PR: { street: US_STREET, place: US_PLACE },
  CA: { street: CA_STREET, place: CA_PLACE },
  GB: { street: GB_STREET, place: GB_PLACE },
  IE: { street: GB_STREET, place: GB_PLACE },
  DE: { street: DE_STREET, place: DE_PLACE },
  AT: { street: DE_STREET, place: DE_PLACE },
  CH: { street: DE_STREET, place: DE_PLACE },
  JP: { street: JP_STREET, place: ENGLISH_PLACE },
  CN: { street: CN_STREET, place: ENGLISH_PLACE },
};

const DEFAULT_TABLE: AbbreviationTable = { street: ENGLISH_STREET, place: ENGLISH_PLACE };

/** The abbreviations for a country (ISO alpha-2); other countries get the common English street words. */
export function abbreviationsFor(countryCode: string): AbbreviationTable {
  return TABLES[countryCode.toUpperCase()] ?? DEFAULT_TABLE;
}

